"""The abstract base every marked model uses, and the one access rule: `visible_to(user)`.

The marking is stored as three plain columns so that the rule is a single WHERE clause with no
join, identical on SQLite and PostgreSQL:
``level <= clearance AND (user is a US person OR (NOT noforn AND rel_mask & nation_bit <> 0))``.
"""

from __future__ import annotations

import functools
from typing import Any, Self

from django.db import models
from django.db.models import Aggregate, Count, F, Max, Q

from portal.markings.marking import Level, Marking
from portal.markings.nations import ALL_NATIONS_MASK, NATION_BITS, US, codes_of, mask_of

LEVEL_CHOICES = [(level.value, level.banner) for level in Level]


def _reader_of(user: Any) -> tuple[int, str] | None:
    """(clearance, nationality) of an authenticated user with a known marking profile."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    clearance = getattr(user, "clearance", None)
    nationality = getattr(user, "nationality", None)
    if clearance is None or nationality not in NATION_BITS or not user.is_active:
        return None
    return int(clearance), str(nationality)


class MarkedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Only the rows `user` may see. Superusers and admins are not exempt."""
        reader = _reader_of(user)
        if reader is None:
            return self.none()
        clearance, nationality = reader
        rule = Q(classification_level__lte=clearance)
        if nationality == US:
            return self.filter(rule)
        bit = NATION_BITS[nationality]
        # "<> 0" rather than "= bit": the same rule for a one-bit nation, but PostgreSQL's
        # planner estimates it as nearly always true instead of 0.5 %, and so keeps walking an
        # ordered index on large tables instead of sorting every visible row.
        return (
            self.alias(_releasable_bit=F("rel_mask").bitand(bit))
            .filter(rule, noforn=False)
            .exclude(_releasable_bit=0)
        )

    def looser_than(self, marking: Marking) -> Self:
        """The SQL form of `Marking.no_looser_than`, negated: the rows that `marking` does not
        protect as well as they are protected (a higher level, NOFORN where `marking` is not,
        or a nation `marking` releases to that the row does not). Empty means a product marked
        `marking` may carry values derived from every row."""
        above = Q(classification_level__gt=int(marking.level))
        if marking.noforn:
            return self.filter(above)
        # Nations `marking` releases to that the row does not: marking_mask AND NOT rel_mask.
        missing = F("rel_mask").bitxor(ALL_NATIONS_MASK).bitand(mask_of(marking.rel_to))
        return self.alias(_missing=missing).filter(above | Q(noforn=True) | ~Q(_missing=0))

    def combined_marking(self) -> Marking | None:
        """The marking of an aggregate over these rows (a count, a chart), or None if empty."""
        return self.count_and_marking()[1]

    def count_and_marking(self) -> tuple[int, Marking | None]:
        """How many rows, and the marking their aggregate carries, in one query: the highest
        level, NOFORN if any row is, and the intersection of the releasability masks."""
        return self.counts_and_markings(rows=None)["rows"]

    def counts_and_markings(self, **subsets: Q | None) -> dict[str, tuple[int, Marking | None]]:
        """`count_and_marking` of each named subset of these rows (None: all of them), in one
        query: a page with several figures over the same rows reads them once."""
        aggregates: dict[str, Any] = {}
        for name, where in subsets.items():
            aggregates.update(marking_aggregates(name, where))
        summary = self.aggregate(**aggregates)
        return {name: count_and_marking_of(summary, name) for name in subsets}


def marking_aggregates(name: str, where: Q | None = None) -> dict[str, Any]:
    """The aggregates `count_and_marking_of` reads back, named after `name`: usable in
    `aggregate()` or, per group, in `values(...).annotate()`."""
    noforn = Q(noforn=True) if where is None else where & Q(noforn=True)
    return {
        f"{name}_rows": Count("pk", filter=where),
        f"{name}_level": Max("classification_level", filter=where),
        f"{name}_noforn": Count("pk", filter=noforn),
        f"{name}_mask": BitAnd("rel_mask", filter=where),
    }


def count_and_marking_of(values: dict[str, Any], name: str) -> tuple[int, Marking | None]:
    """How many rows `marking_aggregates(name)` counted, and the marking their aggregate carries."""
    return _count_and_marking(
        values[f"{name}_rows"], values[f"{name}_level"], values[f"{name}_noforn"], values[f"{name}_mask"]
    )


def _count_and_marking(rows: int, level: int, noforn: int, mask: int) -> tuple[int, Marking | None]:
    if not rows:
        return 0, None
    if noforn:
        return rows, Marking(Level(level), noforn=True)
    return rows, Marking(Level(level), rel_to=codes_of(mask) | {US})


class BitAnd(Aggregate):
    """Bitwise AND over rows: PostgreSQL's BIT_AND, and the same-named function the portal
    registers on every SQLite connection (see portal.apps)."""

    function = "BIT_AND"
    output_field = models.BigIntegerField()


class MarkedManager(models.Manager.from_queryset(MarkedQuerySet)):  # type: ignore[misc]
    pass


class MarkedModel(models.Model):
    classification_level = models.PositiveSmallIntegerField(
        "classification", choices=LEVEL_CHOICES, db_index=True
    )
    noforn = models.BooleanField("NOFORN")
    rel_mask = models.BigIntegerField("releasable to (mask)")

    objects = MarkedManager()

    class Meta:
        abstract = True

    @property
    def marking(self) -> Marking:
        return marking_from_columns(self.classification_level, self.noforn, self.rel_mask)

    @marking.setter
    def marking(self, value: Marking | str) -> None:
        if isinstance(value, str):
            value = Marking.parse(value)
        self.classification_level = int(value.level)
        self.noforn = value.noforn
        self.rel_mask = mask_of(value.rel_to)

    def allows(self, user: Any) -> bool:
        return self.marking.allows(user)


@functools.lru_cache(maxsize=1024)
def marking_from_columns(level: int, noforn: bool, rel_mask: int) -> Marking:
    """The marking stored as these three columns. A record set holds few distinct markings, so
    each is built once (a Marking is immutable) however many rows carry it."""
    return Marking(Level(level), noforn=bool(noforn), rel_to=codes_of(rel_mask))


def marking_columns(marking: Marking | str) -> dict[str, Any]:
    """Column values for `marking`, for `objects.create(**marking_columns(m), ...)` and bulk rows."""
    if isinstance(marking, str):
        marking = Marking.parse(marking)
    return {
        "classification_level": int(marking.level),
        "noforn": marking.noforn,
        "rel_mask": mask_of(marking.rel_to),
    }
