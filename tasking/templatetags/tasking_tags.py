"""Template filters of the tasking pages: durations, deadlines, urgency, priority classes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from agreements.choices import QUICK_TURN_PRIORITIES
from portal.templatetags.times import span
from tasking.choices import FailureReason, RejectReason
from tasking.services.filing import staffing_note as current_staffing_note

register = template.Library()


@register.filter
def duration(value: dt.timedelta | float | None) -> str:
    """A span in words, as everywhere in the portal (“2 days 3 h”, “overdue 12 min”)."""
    return span(value)


@register.filter
def time_left(deadline: dt.datetime | None) -> str:
    if deadline is None:
        return "—"
    return duration(deadline - timezone.now())


@register.filter
def is_overdue(deadline: dt.datetime | None) -> bool:
    return deadline is not None and deadline < timezone.now()


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


# Thresholds an operator on watch acts on: past due, within the hour, within the shift.
URGENT = dt.timedelta(hours=1)
SOON = dt.timedelta(hours=4)


@register.filter
def urgency(deadline: dt.datetime | None) -> str:
    """A CSS class for how close `deadline` is: overdue, urgent, soon, or nothing."""
    if deadline is None:
        return ""
    left = deadline - timezone.now()
    if left < dt.timedelta(0):
        return "overdue"
    if left < URGENT:
        return "urgent"
    if left < SOON:
        return "soon"
    return ""


EXECUTING = frozenset({"proposed", "accepted", "scheduled", "collected", "delivered"})


@register.filter
def window_countdown(request: Any) -> str:
    """Where an accepted request's execution stands: “opens in 2 h 05 min”, “open, 3 h left”, “closed”."""
    if request.status not in EXECUTING:
        return "—"
    windows = sorted((w.start, w.end) for w in request.windows.all())
    now = timezone.now()
    for start, end in windows:
        if now < start:
            return f"opens in {duration(start - now)}"
        if now < end:
            return f"open, {duration(end - now)} left"
    return "closed" if windows else "—"


@register.filter
def priority_class(priority: str) -> str:
    return "quick-turn" if priority in QUICK_TURN_PRIORITIES else ""


@register.filter
def staffing_note(request: Any) -> str:
    """Whether anyone is on watch at the partner, as of now (not as it was at filing)."""
    return current_staffing_note(request)


_ANSWER_FORMS = "tasking/_answer_forms.html"
_FORMS_CACHE_ATTR = "_tasking_answer_forms"
_STAND_IN_PK = 987654321987  # no request has it: its addresses are found and replaced by the row's


@register.simple_tag(takes_context=True)
def answer_forms(context: template.Context, row: Any, where: str, target: str) -> str:
    """The answer forms of `row` (`tasking/_answer_forms.html`), rendered once per set of
    actions on a page and then given the row's own addresses. A page of 100 rows rendered its
    selects, inputs and tokens 100 times: about a fifth of the inbox's time. One CSRF token
    serves every form of a page."""
    request = context.get("request")
    cache: dict[tuple[Any, ...], tuple[str, list[tuple[str, str]]]] = {}
    if request is not None:
        if not hasattr(request, _FORMS_CACHE_ATTR):
            setattr(request, _FORMS_CACHE_ATTR, cache)
        cache = getattr(request, _FORMS_CACHE_ATTR)
    key = (tuple(row.actions), where, target)
    if key not in cache:
        stand_in = {"actions": row.actions, "request": {"pk": _STAND_IN_PK}}
        blank = render_to_string(
            _ANSWER_FORMS,
            {
                "row": stand_in,
                "where": where,
                "target": target,
                "reject_reasons": RejectReason.choices,
                "failure_reasons": FailureReason.choices,
            },
            request=request,
        )
        cache[key] = (str(blank), [_address_around_pk(action) for action in row.actions])
    html, addresses = cache[key]
    for head, tail in addresses:
        html = html.replace(f"{head}{_STAND_IN_PK}{tail}", f"{head}{row.request.pk}{tail}")
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, addresses from reverse()


def _address_around_pk(action: str) -> tuple[str, str]:
    """An action's address before and after the request's number: reversed once per page, as
    a row's address differs from another's only by that number."""
    address = reverse("request-act", args=[_STAND_IN_PK, action])
    head, _, tail = address.partition(str(_STAND_IN_PK))
    return head, tail
