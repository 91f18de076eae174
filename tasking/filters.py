"""The one filter of tasking requests, shared by the request list page and the API.

- `status`: one status, or a group of them: `unmet` (ended without what was asked, the home
  page's link) and `open` (waiting for an answer or in execution, the dashboards' link).
- `spoc`: the code of the SpOC asked.
- `days`: changed within that many days (a whole number from 1 to MAX_DAYS).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.utils import timezone

from portal.filters import PortalFilterSet
from portal.forms import WholeNumberField
from tasking import workflow
from tasking.choices import RequestStatus
from tasking.models import TaskingRequest

UNMET_FILTER = "unmet"
OPEN_FILTER = "open"
UNMET_LABEL = "Unmet (rejected, expired, failed, partial)"
STATUS_GROUPS = {
    UNMET_FILTER: workflow.UNMET,
    OPEN_FILTER: workflow.AWAITING_ANSWER | workflow.IN_EXECUTION,
}
MAX_DAYS = 3650
DAYS_MESSAGE = f"A whole number of days from 1 to {MAX_DAYS}."


class DaysField(WholeNumberField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(low=1, high=MAX_DAYS, message=DAYS_MESSAGE, **kwargs)


class DaysFilter(filters.NumberFilter):
    field_class = DaysField


class TaskingRequestFilter(PortalFilterSet):
    status = filters.ChoiceFilter(
        choices=[
            (UNMET_FILTER, UNMET_LABEL),
            (OPEN_FILTER, "Open (waiting for an answer or in execution)"),
            *RequestStatus.choices,
        ],
        method="filter_status",
    )
    spoc = filters.CharFilter(field_name="spoc__code", label="SpOC")
    days = DaysFilter(method="filter_days", label="Changed within (days)")

    class Meta:
        model = TaskingRequest
        fields = ["status", "spoc", "days"]

    def filter_status(
        self, queryset: QuerySet[TaskingRequest], name: str, value: str
    ) -> QuerySet[TaskingRequest]:
        group = STATUS_GROUPS.get(value)
        return queryset.filter(status__in=group) if group else queryset.filter(status=value)

    def filter_days(
        self, queryset: QuerySet[TaskingRequest], name: str, value: int
    ) -> QuerySet[TaskingRequest]:
        return queryset.filter(updated__gte=timezone.now() - dt.timedelta(days=int(value)))
