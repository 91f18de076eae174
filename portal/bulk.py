"""Bulk database helpers: ids before rows, rows without model instances, COPY on PostgreSQL.

The catalog import, observation ingest, the audit trail and the tasking sweeps write tens of
thousands of rows per statement; all go through here. `allocate_ids` takes primary keys from
the table's sequence so rows can refer to each other before they are written; `insert_rows`
writes plain rows (COPY on PostgreSQL, one executemany INSERT elsewhere); `copy_new_rows`
COPYs pre-rendered text lines into a staging table and keeps only the rows not already stored;
`among` is an `IN` filter that PostgreSQL binds as one array.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.db.models import F, Lookup, Q
from django.db.models.constants import OnConflict


class _AnyOf(Lookup):
    """`column = ANY(%s)` with the values as one array parameter: PostgreSQL plans it like IN,
    without a placeholder per value to build and bind."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, self.rhs]


def among(name: str, values: Iterable[Any]) -> Any:
    """A filter on `name` being one of `values`."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(name), list(values))
    return Q(**{f"{name}__in": values})


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` rows about to be inserted, so they can be referred to first."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence looked up once, in a materialized CTE: named in nextval's argument,
            # it would be looked up per row, at ten times the cost of the nextval.
            cursor.execute(
                "WITH seq AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS name) "
                "SELECT nextval(seq.name) FROM seq, generate_series(1, %s)",
                [connection.ops.quote_name(table), count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite transactions here begin IMMEDIATE, so the write lock is already ours and nobody
        # takes ids meanwhile. AUTOINCREMENT never reuses an id, even of a deleted row.
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {quoted}), 0), "  # noqa: S608
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        (last,) = cursor.fetchone()
        return list(range(last + 1, last + 1 + count))


def insert_rows(
    model: type[models.Model],
    columns: tuple[str, ...],
    rows: list[Any],
    *,
    shared: Mapping[str, Any] | None = None,
    skip_stored: bool = False,
) -> None:
    """Insert plain rows (column attnames in `columns`), skipping model instances entirely.

    `shared` gives the columns whose value is the same in every row (the actor of a sweep, one
    instant), adapted once and added to each row. PostgreSQL gets COPY, the fastest way in;
    other databases an executemany of one INSERT. With `skip_stored`, a row that clashes with a
    stored one (a unique key) is left out instead of failing the whole insert: an INSERT that
    ignores conflicts on every database, since COPY cannot. Dates and times go through the
    backend's own adapters so lookups match Django's, and JSON values are written as the text
    JSONField stores.
    """
    if not rows:
        return
    shared = shared or {}
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[column] for column in (*columns, *shared)]
    names = ", ".join(ops.quote_name(field.column) for field in fields)
    adapters = [_adapter_of(field) for field in fields]
    constant = tuple(
        adapt(value) if adapt else value
        for adapt, value in zip(adapters[len(columns) :], shared.values(), strict=True)
    )
    adapters = adapters[: len(columns)]
    if any(adapters):
        rows = [
            tuple(adapt(value) if adapt else value for adapt, value in zip(adapters, row, strict=True))
            for row in rows
        ]
    if constant:
        rows = [(*row, *constant) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not skip_stored:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        on_conflict = OnConflict.IGNORE if skip_stored else None
        insert = ops.insert_statement(on_conflict=on_conflict)
        suffix = ops.on_conflict_suffix_sql(fields, on_conflict, None, None) if skip_stored else ""
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"{insert} {table} ({names}) VALUES ({marks}) {suffix}", rows)


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _adapter_of(column: Any) -> Any:
    if isinstance(column, models.JSONField):
        # The text Django's JSONField stores, on every database (COPY reads jsonb from text).
        return functools.partial(json.dumps, cls=column.encoder)
    if connection.vendor == "postgresql":
        return None
    if isinstance(column, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(column, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def copy_new_rows(
    raw: Any,
    model: type[models.Model],
    columns: tuple[str, ...],
    lines: list[str],
    key_order: tuple[str, ...] = ("content_hash",),
) -> dict[str, int]:
    """COPY text-format `lines` into a temporary table, then one INSERT that skips whatever is
    already stored; content hash -> id of each row inserted.

    `raw` is the psycopg connection under Django's, inside the caller's transaction; the model
    has a unique `content_hash` column. Rows are inserted in `key_order`: give the columns of
    the table's unique indexes, so concurrent inserts of the same rows take their index locks in
    the same order and cannot deadlock.
    """
    table = model._meta.db_table
    staging = f"{table}_staging"
    names = ", ".join(columns)
    with raw.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "  # noqa: S608
            f"AS SELECT {names} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            lines.append("")
            copy.write("\n".join(lines).encode())
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "  # noqa: S608
            f"ORDER BY {', '.join(key_order)} "
            "ON CONFLICT DO NOTHING RETURNING content_hash, id"
        )
        return dict(cursor.fetchall())
