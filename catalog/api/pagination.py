"""Incremental pulls: `?since=<cursor>` returns rows changed after the cursor, oldest first.

The cursor is the change sequence of the last row the caller received, so it moves only over
rows the caller may see; a page never says how many rows remain, only whether it is full.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


def _seq_of(row: Any) -> int:
    """The change sequence of a model instance or of a `values()` row."""
    return int(row["seq"] if isinstance(row, dict) else row.seq)


class SinceCursorPagination(BasePagination):
    page_size = 100
    max_page_size = 1000

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.since = self._int_param(request, "since", 0)
        size = self._int_param(request, "page_size", self.page_size)
        self.size = max(1, min(size, self.max_page_size))
        rows = list(queryset.filter(seq__gt=self.since).order_by("seq")[: self.size + 1])
        self.has_more = len(rows) > self.size
        rows = rows[: self.size]
        self.cursor = _seq_of(rows[-1]) if rows else self.since
        return rows

    @staticmethod
    def _int_param(request: Request, name: str, default: int) -> int:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({name: [f"{name} must be a whole number"]}) from None
        if value < 0:
            raise ValidationError({name: [f"{name} must not be negative"]})
        return value

    def next_link(self) -> str | None:
        if not self.has_more:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "since", self.cursor)

    def headers(self) -> dict[str, str]:
        headers = {"X-Cursor": str(self.cursor)}
        link = self.next_link()
        if link:
            headers["Link"] = f'<{link}>; rel="next"'
        return headers

    def get_paginated_response(self, data: Any) -> Response:
        body = OrderedDict([("cursor", self.cursor), ("next", self.next_link()), ("results", data)])
        return Response(body, headers=self.headers())

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["cursor", "results"],
            "properties": {
                "cursor": {"type": "integer", "description": "pass as ?since= to get what changed next"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "since",
                "in": "query",
                "required": False,
                "description": "cursor of the last page received; rows changed after it",
                "schema": {"type": "integer"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"rows per page, at most {self.max_page_size}",
                "schema": {"type": "integer"},
            },
        ]
