"""Cursor pagination shared by the API's lists."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Stable pages over growing tables: newest first, by primary key."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 1000
