"""Filing a request: who may, what it must say, which agreement allows it, and what the partner
gets with it (element sets, predicted passes, a deadline and a staffing warning)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from agreements.models import Sensor
from catalog.models import SpaceObject
from portal.errors import DomainError, NotAllowed
from portal.markings.marking import Marking
from portal.models import SpOC
from tasking import workflow
from tasking.choices import ObservationType, Priority, Purpose, RequestAction, RequestStatus, Tier
from tasking.models import CoalitionOperation, RequestTarget, RequestWindow, TaskingRequest, is_operator
from tasking.services import transitions
from tasking.services.elements import attach_elements, best_element_set, covered_by, replace_passes
from tasking.services.routing import Route, route
from tasking.services.windows import check_window

MAX_TARGETS = 50


@dataclass
class Filing:
    title: str
    targets: Sequence[SpaceObject]
    windows: Sequence[tuple[dt.datetime, dt.datetime]]
    priority: str
    purpose: str
    marking: Marking
    spoc: SpOC | None = None
    sensor: Sensor | None = None
    observation_type: str = ObservationType.ANY_METRIC
    tracks_wanted: int = 1
    observations_wanted: int = 10
    minimum_tier: int = Tier.LEVEL_3
    instructions: str = ""
    operation: CoalitionOperation | None = None


@dataclass
class Filed:
    request: TaskingRequest
    warnings: list[str] = field(default_factory=list)


def _check(filing: Filing, by: Any, now: dt.datetime) -> None:
    if not filing.title.strip():
        raise DomainError("Give the request a title.", field="title")
    for name, value, choices in (
        ("priority", filing.priority, Priority.values),
        ("purpose", filing.purpose, Purpose.values),
        ("observation_type", filing.observation_type, ObservationType.values),
    ):
        if value not in choices:
            raise DomainError(f"Unknown {name.replace('_', ' ')} {value!r}.", field=name)
    if filing.minimum_tier not in Tier.values:
        raise DomainError("The minimum tier is Level 1 to 4.", field="minimum_tier")
    if filing.tracks_wanted < 1 or filing.observations_wanted < 1:
        raise DomainError("Ask for at least one track and one observation.", field="observations_wanted")
    if not filing.targets:
        raise DomainError("Name at least one target object.", field="targets")
    if len(filing.targets) > MAX_TARGETS:
        raise DomainError(f"At most {MAX_TARGETS} targets per request.", field="targets")
    if not filing.windows:
        raise DomainError("Give at least one observation window.", field="windows")
    for start, end in filing.windows:
        if timezone.is_naive(start) or timezone.is_naive(end):
            raise DomainError("Window times need a time zone (UTC).", field="windows")
        check_window(start, end, now, field="windows")
    refusal = filing.marking.refusal_for(by, "request")
    if refusal:
        raise DomainError(refusal, field="marking")
    visible = set(
        SpaceObject.objects.visible_to(by)
        .filter(pk__in=[t.pk for t in filing.targets])
        .values_list("pk", flat=True)
    )
    for target in filing.targets:
        if target.pk not in visible:
            raise DomainError("Unknown target object.", field="targets")
        # The request names the object: whoever reads the request must be allowed to read it.
        if not covered_by(target.marking, filing.marking):
            raise DomainError(
                f"{target} is marked {target.marking.banner}, more restrictive than the request's "
                f"{filing.marking.banner}.",
                field="marking",
            )
    operation = filing.operation
    # Every reader of the request reads the operation it is filed under, so the request is
    # protected at least as the operation is; the answer names nothing of the operation.
    if operation is not None and (
        not operation.allows(by) or not filing.marking.no_looser_than(operation.marking)
    ):
        raise DomainError("Unknown operation, or one this request's readers may not read.", field="operation")


def _check_releasable(marking: Marking, found: Route) -> None:
    nation = found.spoc.nation_id
    if marking.noforn or nation not in marking.rel_to:
        raise DomainError(
            f"The request must be releasable to {nation} for {found.spoc} to read it "
            f"(it is {marking.banner}).",
            field="marking",
        )
    if marking.level > found.agreement.classification_ceiling:
        raise DomainError(
            f"{marking.level.banner} is above the ceiling of “{found.agreement}” "
            f"({found.agreement.ceiling.banner}).",
            field="marking",
        )


def next_staffed(
    spoc: SpOC, after: dt.datetime, horizon: dt.timedelta = dt.timedelta(days=8)
) -> dt.datetime | None:
    """The first moment from `after` at which `spoc` is on watch, within `horizon`; None if it
    is never staffed in that span. A watch opens at `staffed_from` local time on a staffed
    weekday or, for an overnight watch, at the midnight that starts a staffed weekday (the
    staffed days are read per moment by `SpOC.is_staffed_at`)."""
    if spoc.is_staffed_at(after):
        return after
    if spoc.staffed_from is None:
        return None
    zone = ZoneInfo(spoc.time_zone)
    first_day = after.astimezone(zone).date()
    for offset in range(horizon.days + 2):
        day = first_day + dt.timedelta(days=offset)
        for start in (dt.time(0, 0), spoc.staffed_from):
            candidate = dt.datetime.combine(day, start, tzinfo=zone)
            if after < candidate <= after + horizon and spoc.is_staffed_at(candidate):
                return candidate
    return None


def staffing_warning(spoc: SpOC, now: dt.datetime, deadline: dt.datetime) -> str:
    """Words for the operator when nobody is on watch at the partner now or at the deadline."""
    if spoc.is_staffed_at(now) and spoc.is_staffed_at(deadline):
        return ""
    zone = ZoneInfo(spoc.time_zone)
    opening = next_staffed(spoc, now)
    when = ""
    if opening:
        local, utc = opening.astimezone(zone), opening.astimezone(dt.UTC)
        when = f"; next staffed {local:%a %H:%M} local ({utc:%Y-%m-%d %H:%M} UTC)"
    if not spoc.is_staffed_at(now):
        return f"{spoc} is not staffed now ({now.astimezone(zone):%a %H:%M} {spoc.time_zone}){when}."
    return (
        f"{spoc} is not staffed at the response deadline "
        f"({deadline.astimezone(zone):%a %H:%M} {spoc.time_zone}): answer may come after it."
    )


def staffing_note(request: TaskingRequest, now: dt.datetime | None = None) -> str:
    """`staffing_warning` as of `now`, for a request still awaiting its partner's answer: the
    note a page shows. What was true at filing (the stored `staffing_warning`) may not be now."""
    deadline = request.response_deadline
    if request.status not in workflow.AWAITING_ANSWER or request.spoc is None or deadline is None:
        return ""
    moment = now or timezone.now()
    if moment >= deadline:
        return ""
    return staffing_warning(request.spoc, moment, deadline)


def file_request(filing: Filing, by: Any, *, submit: bool = True, now: dt.datetime | None = None) -> Filed:
    """Create the request (a draft, or submitted to the partner). Raises DomainError with the reason."""
    now = now or timezone.now()
    if not is_operator(by):
        raise NotAllowed("Only US operators file tasking requests.")
    _check(filing, by, now)
    found = route(
        spoc=filing.spoc,
        sensor=filing.sensor,
        minimum_tier=filing.minimum_tier,
        observation_type=filing.observation_type,
        at=now,
        filer=by,
        marking=filing.marking,
    )
    _check_releasable(filing.marking, found)
    warnings: list[str] = []
    with transaction.atomic():
        request = TaskingRequest(
            kind=found.kind,
            title=filing.title.strip(),
            spoc=found.spoc,
            sensor=found.sensor,
            agreement=found.agreement,
            operation=filing.operation,
            requested_by=by,
            priority=filing.priority,
            purpose=filing.purpose,
            observation_type=filing.observation_type,
            tracks_wanted=filing.tracks_wanted,
            observations_wanted=filing.observations_wanted,
            minimum_tier=filing.minimum_tier,
            instructions=filing.instructions.strip(),
            data_formats=list(found.coverage.formats),
            response_deadline=found.coverage.response_deadline(filing.priority, now),
        )
        request.marking = filing.marking
        assert request.response_deadline is not None
        request.staffing_warning = staffing_warning(found.spoc, now, request.response_deadline)
        request.save()
        RequestWindow.objects.bulk_create(
            [RequestWindow(request=request, start=s, end=e) for s, e in sorted(filing.windows)]
        )
        targets = []
        for obj in filing.targets:
            target = RequestTarget(request=request, space_object=obj)
            elset = best_element_set(obj.pk, filing.marking, by)
            attach_elements(target, elset, now)
            if elset is None:
                warnings.append(
                    f"No element set of {obj} can travel with this request; the partner uses its own."
                )
            targets.append(target)
        RequestTarget.objects.bulk_create(targets)
        passes = replace_passes(request, found.sensors)
        if passes == 0:
            warnings.append(f"No pass of the targets over {found.spoc}'s sensors is predicted in the window.")
        if request.staffing_warning:
            warnings.append(request.staffing_warning)
        first_start = min(s for s, _ in filing.windows)
        if request.response_deadline > first_start:
            warnings.append(
                f"The agreed answer time runs until {request.response_deadline:%Y-%m-%d %H:%M} UTC, "
                "after the window opens."
            )
        if submit:
            request = transitions.apply(request, RequestAction.SUBMIT, by=by, now=now)
    return Filed(request, warnings)


def submit_draft(request: TaskingRequest, by: Any, now: dt.datetime | None = None) -> TaskingRequest:
    """Submit a draft: the agreement is looked up again, as it may have changed since."""
    now = now or timezone.now()
    if request.status != RequestStatus.DRAFT:
        return transitions.apply(request, RequestAction.SUBMIT, by=by, now=now)
    found = route(
        spoc=None if request.sensor_id else request.spoc,
        sensor=request.sensor,
        minimum_tier=request.minimum_tier,
        observation_type=request.observation_type,
        at=now,
        filer=by,
        marking=request.marking,
    )
    _check_releasable(request.marking, found)
    deadline = found.coverage.response_deadline(request.priority, now)
    extra = {
        "agreement": found.agreement,
        "response_deadline": deadline,
        "data_formats": list(found.coverage.formats),
        "staffing_warning": staffing_warning(found.spoc, now, deadline),
    }
    return transitions.apply(request, RequestAction.SUBMIT, by=by, now=now, extra=extra)
