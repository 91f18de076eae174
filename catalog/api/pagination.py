"""Incremental pulls: `?since=<cursor>` returns rows changed after the cursor, oldest first.

A cursor is opaque: the change sequence of the last row the caller received, encrypted and
signed under keys derived from SECRET_KEY (a synthetic nonce, HMAC-SHA256 of the position; the
position XOR an HMAC-SHA256 pad of the nonce; then `django.core.signing`, salted per list). So
nothing of the position shows: two cursors say nothing about how many rows the caller could not
see between them (only that they are the same position or not, which the rows say anyway), and
a forged, edited or another list's cursor is refused with a 400 naming `since`. Absent, empty
or `0` means from the start. The cursor moves only over rows the caller may see; a page never
says how many rows remain, only whether it is full.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

_NONCE_BYTES = 12
_POSITION_BYTES = 8
_SALT = "catalog.since-cursor"


def _pad(scope: str, nonce: bytes) -> bytes:
    return salted_hmac(f"{_SALT}.pad.{scope}", nonce, algorithm="sha256").digest()[:_POSITION_BYTES]


def encode_cursor(position: int, scope: str) -> str:
    """The opaque cursor of change sequence `position` in the list `scope`."""
    # Deterministic (the same position gives the same cursor, so a repeated pull answers the
    # same), without showing the position: the nonce is itself a keyed hash of it.
    nonce = salted_hmac(f"{_SALT}.nonce.{scope}", str(position), algorithm="sha256").digest()[:_NONCE_BYTES]
    hidden = bytes(
        a ^ b for a, b in zip(position.to_bytes(_POSITION_BYTES, "big"), _pad(scope, nonce), strict=True)
    )
    body = base64.urlsafe_b64encode(nonce + hidden).decode().rstrip("=")
    return signing.Signer(salt=f"{_SALT}.{scope}").sign(body)


def decode_cursor(cursor: str, scope: str) -> int:
    """The position of a cursor this API gave for `scope`; ValueError for anything else."""
    try:
        body = signing.Signer(salt=f"{_SALT}.{scope}").unsign(cursor)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ValueError("not a cursor of this list") from exc
    if len(raw) != _NONCE_BYTES + _POSITION_BYTES:
        raise ValueError("not a cursor of this list")
    nonce, hidden = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    return int.from_bytes(bytes(a ^ b for a, b in zip(hidden, _pad(scope, nonce), strict=True)), "big")


def _seq_of(row: Any) -> int:
    """The change sequence of a model instance or of a `values()` row."""
    return int(row["seq"] if isinstance(row, dict) else row.seq)


class SinceCursorPagination(BasePagination):
    page_size = 100
    max_page_size = 1000

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.scope = self._scope(queryset, view)
        self.since = self._since(request)
        size = self._int_param(request, "page_size", self.page_size)
        self.size = max(1, min(size, self.max_page_size))
        rows = list(queryset.filter(seq__gt=self.since).order_by("seq")[: self.size + 1])
        self.has_more = len(rows) > self.size
        rows = rows[: self.size]
        self.cursor = encode_cursor(_seq_of(rows[-1]) if rows else self.since, self.scope)
        return rows

    @staticmethod
    def _scope(queryset: QuerySet[Any], view: Any) -> str:
        """Which list a cursor belongs to: one list's cursor is refused by another."""
        return str(getattr(view, "basename", None) or queryset.model._meta.label_lower)

    def _since(self, request: Request) -> int:
        raw = request.query_params.get("since")
        if raw is None or raw in ("", "0"):
            return 0
        try:
            return decode_cursor(raw, self.scope)
        except ValueError:
            raise ValidationError(
                {"since": ["since must be a cursor this list returned (or 0 for the start)"]}
            ) from None

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
        headers = {"X-Cursor": self.cursor}
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
                "cursor": {
                    "type": "string",
                    "description": "opaque; pass as ?since= to get what changed next",
                },
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
                "description": "opaque cursor of the last page received (0 or none: from the start); "
                "rows changed after it",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"rows per page, at most {self.max_page_size}",
                "schema": {"type": "integer"},
            },
        ]
