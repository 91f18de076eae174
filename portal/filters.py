"""The one FilterSet base of the portal, shared by pages and the API.

- Every filter over a related model takes its choices and lookups from what the request's user
  may read (`portal.references.readable`): a hidden id is refused exactly like a missing one.
- A filter by a related record's natural key (a sensor number, a catalog number) or id (a
  delivery's `batch`) matches only readable records, so a hidden number answers as a missing
  one does (nothing found): `ReadableKeyFilter`, and every plain filter whose field path runs
  through a relation to a guarded model, whatever its declared type.
- A yes / no filter given anything else is a form error naming it (django-filter would read it
  as "either", silently).
- A bad value is a 400 naming the parameter: django-filter's API backend does that already;
  pages use `FilteredPageMixin`, which answers 400 with the form's errors instead of a 500.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django_filters.rest_framework import DjangoFilterBackend

from portal.references import is_guarded, readable

# What a yes / no / either box accepts (Django's NullBooleanSelect and django-filter's own).
BOOLEAN_VALUES = {"", "true", "false", "1", "0", "2", "3", "yes", "no", "unknown"}


def guarded_lookup(model: Any, filter_: Any) -> tuple[str, Any, str] | None:
    """For a plain filter whose field path runs through a relation to a guarded model (a
    delivery by its id, an object by its catalog number): (path to the relation, that model,
    the field of it compared). None for filters of the listed rows' own fields."""
    if getattr(filter_, "method", None) is not None or not getattr(filter_, "field_name", None):
        return None
    current, path = model, []
    parts = filter_.field_name.split("__")
    for index, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation:
            return None
        path.append(field.name)
        current = field.related_model
        if is_guarded(current):
            rest = parts[index + 1 :] or ["pk"]
            return "__".join(path), current, "__".join(rest)
    return None


class PortalFilterSet(filters.FilterSet):
    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None, **kwargs: Any) -> None:
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            if isinstance(filter_, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
                base = filter_.queryset
                if base is not None and not callable(base):
                    filter_.queryset = readable(base, user)
                continue
            lookup = guarded_lookup(self._meta.model, filter_)
            if lookup is not None and not isinstance(filter_, ReadableKeyFilter):
                filter_.method = _readable_lookup(user, *lookup, filter_.lookup_expr, filter_.exclude)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # A yes / no box reads anything it does not know as "either": say so instead.
        for name, filter_ in self.filters.items():
            raw = self.data.get(name) if self.data is not None else None
            known = raw is None or str(raw).strip().lower() in BOOLEAN_VALUES
            if isinstance(filter_, filters.BooleanFilter) and not known:
                # Given as params: the value is not a format string (a "%" in it is no 500).
                error = ValidationError(
                    "Not a yes / no value: %(value)s.", params={"value": repr(str(raw)[:40])}
                )
                self.form.add_error(name, error)
                valid = False
        return valid

    def errors_text(self) -> str:
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in self.errors.items()
        )


def _readable_lookup(user: Any, path: str, model: Any, key: str, lookup: str, exclude: bool) -> Any:
    """A filter method comparing `key` of the related record only among those `user` may
    read: a hidden record's id or number finds nothing, as a missing one does."""

    def method(queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        targets = readable(model, user).filter(**{f"{key}__{lookup}": value}).values("pk")
        condition = {f"{path}__in": targets}
        return queryset.exclude(**condition) if exclude else queryset.filter(**condition)

    return method


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
