"""The one FilterSet base of the portal, shared by pages and the API.

- Every filter over a related model takes its choices and lookups from what the request's user
  may read (`portal.references.readable`): a hidden id is refused exactly like a missing one.
- A filter by a related record's natural key (a sensor number, a catalog number) matches only
  readable records, so a hidden number answers as a missing one does (nothing found).
- A bad value is a 400 naming the parameter: django-filter's API backend does that already;
  pages use `FilteredPageMixin`, which answers 400 with the form's errors instead of a 500.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django_filters.rest_framework import DjangoFilterBackend

from portal.references import readable


class PortalFilterSet(filters.FilterSet):
    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None, **kwargs: Any) -> None:
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            if isinstance(filter_, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
                base = filter_.queryset
                if base is not None and not callable(base):
                    filter_.queryset = readable(base, user)

    def errors_text(self) -> str:
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in self.errors.items()
        )


class ReadableKeyFilter(filters.NumberFilter):
    """Rows whose `field_name` relation points at a readable record with `key` = the value."""

    def __init__(self, *args: Any, model: Any, key: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related_model = model
        self.key = key

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        user = getattr(getattr(self.parent, "request", None), "user", None)
        targets = readable(self.related_model, user).filter(**{self.key: value}).values("pk")
        return qs.filter(**{f"{self.field_name}__in": targets})


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend with `filterset_fields` built on PortalFilterSet."""

    filterset_base = PortalFilterSet


class FilteredPageMixin:
    """A list page filtered by `filterset_class` over its queryset; a bad value is a 400 that
    names the parameter (never a 500)."""

    filterset_class: type[PortalFilterSet]
    filterset: PortalFilterSet

    def filter_page(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        request: Any = self.request  # type: ignore[attr-defined]
        self.filterset = self.filterset_class(request.GET or None, queryset=queryset, request=request)
        if not self.filterset.is_bound:
            return queryset
        if not self.filterset.is_valid():
            return queryset.none()
        return self.filterset.qs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().get(request, *args, **kwargs)  # type: ignore[misc]
        filterset = getattr(self, "filterset", None)
        if filterset is not None and filterset.is_bound and not filterset.is_valid():
            return HttpResponseBadRequest(f"Bad filter: {filterset.errors_text()}", content_type="text/plain")
        return response
