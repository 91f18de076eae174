"""The default first filter backend of every API view: marked querysets pass through visible_to.

Kept apart from portal.api.base because DRF reads the default backends while defining its
generic views, which base.py imports.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import filters
from rest_framework.request import Request

from portal.markings.models import MarkedQuerySet


class MarkingFilterBackend(filters.BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if isinstance(queryset, MarkedQuerySet):
            return queryset.visible_to(request.user)
        return queryset
