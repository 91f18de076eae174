"""The one filter of the audit trail, shared by the security officer's page and the API.

- `actor` (or `actor_name`, the API's older name for it): the user name stored on the event.
- `action`: one of the audit actions; anything else is refused, naming the parameter.
- `model`: a record type by label, current or former (`portal.model_labels`).
- `object_id`: the record's id as stored.
- `since` / `until`: a date (YYYY-MM-DD) or an ISO 8601 date and time (UTC unless it gives an
  offset). `since` is inclusive, `until` exclusive of its instant; a bare date stands for the
  whole day on either side, so `since=D&until=D` is the whole of day D.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField

from portal.filters import PortalFilterSet
from portal.model_labels import stored_labels
from portal.models import AuditEvent

DATE_MESSAGE = "A date in the form YYYY-MM-DD, or a date and time in ISO 8601 (YYYY-MM-DDTHH:MM:SSZ)."


class DayOrInstantField(IsoDateTimeField):
    """An ISO 8601 date and time, or a bare date read as the first instant of that day (UTC),
    or with `day_end` as the first instant of the next day, so that the day is included."""

    default_error_messages = {"invalid": DATE_MESSAGE}

    def __init__(self, *, day_end: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.day_end = day_end

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                if self.day_end:
                    day += dt.timedelta(days=1)
                return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        result: dt.datetime | None = super().to_python(value)
        return result


class DayOrInstantFilter(filters.IsoDateTimeFilter):
    field_class = DayOrInstantField


class AuditEventFilter(PortalFilterSet):
    actor = filters.CharFilter(field_name="actor_name", label="Actor")
    since = DayOrInstantFilter(field_name="at", lookup_expr="gte", label="From")
    until = DayOrInstantFilter(field_name="at", lookup_expr="lt", day_end=True, label="To")
    # A record's events under every label its model was stored under.
    model = filters.CharFilter(method="filter_model", label="Record type")

    class Meta:
        model = AuditEvent
        fields = ["actor", "actor_name", "action", "model", "object_id", "since", "until"]

    def filter_model(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return queryset.filter(model__in=stored_labels(value))
