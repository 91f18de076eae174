"""Demo records of this app, added by seed_demo after the core, agreements and catalog.

A month of tasking history between the US and the partner SpOCs, built through the same
services the site uses (so agreements, deadlines, passes and history are all real), plus the
requests now waiting in the partners' inboxes and a crewed-launch support operation.
Safe to run again: nothing is added once the operation exists.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from typing import Any

from django.utils import timezone

from agreements.models import Sensor
from catalog.models import SpaceObject
from portal.errors import DomainError
from portal.markings.marking import Marking
from portal.models import SpOC, User
from tasking.choices import Actor, OperationStatus, RequestAction
from tasking.models import CoalitionOperation, Notification, SupportPlanEntry, TaskingRequest
from tasking.services import notify, retask_queue, retasking, transitions
from tasking.services.filing import Filing, file_request
from tasking.services.routing import find_route
from tasking.services.staff import sync_staff_membership

A = RequestAction
OPERATION_CODE = "crewed-launch-support"
# (SpOC code, sensor number for a direct tasking or None, observation type, minimum tier)
ROUTES: list[tuple[str, int | None, str, int]] = [
    ("uk-spoc", None, "any_metric", 3),
    ("uk-spoc", 9101, "optical_angles", 3),
    ("ca-spoc", None, "optical_angles", 3),
    ("fr-spoc", None, "passive_rf", 3),
    ("jp-spoc", None, "optical_angles", 3),
    ("au-spoc", 9401, "radar_metric", 3),
    ("au-spoc", 9402, "optical_angles", 3),
]
# How each SpOC tends to answer: accept, reject, propose, no answer; and how it executes.
HABITS: dict[str, tuple[tuple[float, float, float, float], float, tuple[float, float]]] = {
    "uk-spoc": ((0.75, 0.10, 0.10, 0.05), 0.85, (0.2, 2.0)),
    "ca-spoc": ((0.60, 0.20, 0.10, 0.10), 0.75, (1.0, 10.0)),
    "fr-spoc": ((0.45, 0.30, 0.10, 0.15), 0.60, (2.0, 20.0)),
    "jp-spoc": ((0.55, 0.15, 0.15, 0.15), 0.70, (1.0, 14.0)),
    "au-spoc": ((0.90, 0.00, 0.00, 0.10), 0.80, (0.1, 1.5)),
}
TITLES = (
    "Post-manoeuvre tracking",
    "Conjunction screening follow-up",
    "Catalog maintenance: stale element set",
    "Reentry prediction support",
    "RPO watch near GEO neighbour",
    "Launch debris characterisation",
)
PURPOSES = (
    "catalog_maintenance",
    "conjunction_assessment",
    "catalog_maintenance",
    "reentry",
    "rpo",
    "launch",
)
PRIORITIES = ("routine", "routine", "priority", "cat3", "cat2", "immediate")


def _marking_for(spoc: SpOC, rng: random.Random) -> Marking:
    if rng.random() < 0.15:
        return Marking.unclassified()
    if spoc.nation_id in {"GBR", "AUS", "CAN"} and rng.random() < 0.25:
        return Marking.parse("CUI//REL TO USA, FVEY")
    return Marking.parse(f"CUI//REL TO USA, {spoc.nation_id}")


def _file(
    operator: User,
    spoc: SpOC,
    sensor: Sensor | None,
    kind: tuple[str, int | None, str, int],
    targets: list[SpaceObject],
    filed_at: dt.datetime,
    rng: random.Random,
    **overrides: Any,
) -> TaskingRequest | None:
    index = rng.randrange(len(TITLES))
    start = filed_at + dt.timedelta(hours=rng.choice((2, 4, 8, 12)))
    values: dict[str, Any] = dict(
        title=TITLES[index],
        targets=rng.sample(targets, k=min(len(targets), 1 if rng.random() < 0.8 else 2)),
        windows=[(start, start + dt.timedelta(hours=rng.choice((6, 12, 24))))],
        priority=PRIORITIES[index],
        purpose=PURPOSES[index],
        marking=_marking_for(spoc, rng),
        spoc=None if sensor else spoc,
        sensor=sensor,
        observation_type=kind[2],
        minimum_tier=kind[3],
        tracks_wanted=rng.choice((1, 1, 2, 3)),
        observations_wanted=rng.choice((5, 10, 20)),
    )
    values.update(overrides)
    try:
        # The request carries its agreement's terms: it is marked at least as the agreement.
        found = find_route(
            spoc=values["spoc"],
            sensor=values["sensor"],
            minimum_tier=values["minimum_tier"],
            observation_type=values["observation_type"],
            at=filed_at,
            filer=operator,
        )
        if found.agreement is not None:
            values["marking"] = Marking.combine(values["marking"], found.agreement.marking)
        return file_request(Filing(**values), operator, now=filed_at).request
    except DomainError:
        return None  # an agreement of the demo coalition that does not allow it


def _play(request: TaskingRequest, staff: User, operator: User, rng: random.Random, now: dt.datetime) -> None:
    """Answer and execute a past request the way its SpOC usually does."""
    assert request.submitted_at is not None and request.response_deadline is not None
    answers, success, (fast, slow) = HABITS[request.spoc.code]
    answer_at = request.submitted_at + dt.timedelta(
        hours=rng.uniform(fast, slow) / (3 if request.is_direct else 1)
    )
    choice = rng.choices(("accept", "reject", "propose", "none"), weights=answers)[0]
    if request.is_direct and choice in {"reject", "propose"}:
        choice = "accept"
    if choice == "none" or answer_at >= request.response_deadline:
        transitions.apply(request, A.EXPIRE, side=Actor.SYSTEM, now=request.response_deadline)
        if rng.random() < 0.5:
            transitions.apply(
                request, A.RETASK, by=operator, now=request.response_deadline + dt.timedelta(hours=1)
            )
        return
    if choice == "reject":
        code = rng.choice(("no_capacity", "weather", "national_priority", "not_visible"))
        transitions.apply(
            request, A.REJECT, by=staff, reason_code=code, text="Cannot support this time.", now=answer_at
        )
        return
    if choice == "propose":
        window = request.windows.first()
        assert window is not None
        alt = (window.start + dt.timedelta(hours=12), window.end + dt.timedelta(hours=12))
        transitions.apply(
            request, A.PROPOSE, by=staff, window=alt, text="Better geometry later.", now=answer_at
        )
        if rng.random() < 0.7:
            request = transitions.apply(
                request, A.ACCEPT_PROPOSAL, by=operator, now=answer_at + dt.timedelta(minutes=30)
            )
        else:
            transitions.apply(request, A.CANCEL, by=operator, now=answer_at + dt.timedelta(minutes=30))
            return
    else:
        request = transitions.apply(request, A.ACCEPT, by=staff, now=answer_at)
    window = request.windows.last()
    assert window is not None
    done_at = min(window.end + dt.timedelta(minutes=rng.uniform(10, 90)), now)
    request = transitions.apply(request, A.SCHEDULE, by=staff, now=answer_at + dt.timedelta(minutes=20))
    if rng.random() > success:
        transitions.apply(
            request,
            A.FAIL,
            by=staff,
            reason_code=rng.choice(("weather", "sensor_fault", "target_not_acquired")),
            text="",
            now=done_at,
        )
        return
    wanted = request.observations_wanted
    got = wanted if rng.random() < 0.8 else max(1, wanted // 2)
    latency = rng.uniform(*(120, 1800) if request.spoc.code in {"uk-spoc", "au-spoc"} else (600, 7200))
    extra = {
        "observations_counted": got,
        "tracks_counted": request.tracks_wanted if got == wanted else 1,
        "first_delivery_at": done_at,
        "delivery_latency_s": latency,
    }
    action = A.RECORD_FULFILLED if got == wanted else A.RECORD_PARTIAL
    transitions.apply(request, action, side=Actor.SYSTEM, now=done_at, extra=extra)


def seed() -> dict[str, int]:
    operation = CoalitionOperation.objects.filter(code=OPERATION_CODE).first()
    if operation is None:
        with retask_queue.deferred():
            _seed_history()
        with contextlib.suppress(retasking.AlreadyPlanned):
            retasking.run_retasking()
    return {
        "tasking_requests": TaskingRequest.objects.count(),
        "coalition_operations": CoalitionOperation.objects.count(),
        "notifications": Notification.objects.count(),
    }


def _seed_history() -> None:
    operator = User.objects.filter(username="us_operator").first()
    spocs = {s.code: s for s in SpOC.objects.all()}
    sensors = {s.number: s for s in Sensor.objects.filter(number__in=[r[1] for r in ROUTES if r[1]])}
    targets = list(
        SpaceObject.objects.filter(classification_level=0, noforn=False).order_by("catalog_number")[:12]
    )
    if operator is None or not targets:
        return
    for user in User.objects.filter(spoc__isnull=False):
        sync_staff_membership(user)
    staff = {
        code: User.objects.filter(spoc=spoc, role="partner_staff").first() for code, spoc in spocs.items()
    }
    rng = random.Random(20200530)
    now = timezone.now().replace(second=0, microsecond=0)
    with notify.without_email():
        for day in range(30, 1, -1):
            for _ in range(rng.choice((2, 3, 3, 4))):
                route = rng.choice(ROUTES)
                spoc, sensor = spocs.get(route[0]), sensors.get(route[1]) if route[1] else None
                if spoc is None or (route[1] and sensor is None):
                    continue
                filed_at = now - dt.timedelta(days=day, hours=rng.uniform(0, 20))
                request = _file(operator, spoc, sensor, route, targets, filed_at, rng)
                answerer = staff.get(route[0]) or operator
                if request is not None and answerer is not operator:
                    _play(request, answerer, operator, rng, now)
        _seed_open_requests(operator, spocs, sensors, targets, staff, rng, now)
        _seed_operation(operator, spocs, sensors, targets, staff, rng, now)


def _seed_open_requests(
    operator: User,
    spocs: dict[str, SpOC],
    sensors: dict[int, Sensor],
    targets: list[SpaceObject],
    staff: dict[str, User | None],
    rng: random.Random,
    now: dt.datetime,
) -> None:
    """What is on the partners' desks today: waiting, proposed, being executed, a draft."""
    uk, uk_staff = spocs.get("uk-spoc"), staff.get("uk-spoc")
    for hours_ago in (0.2, 1.5, 5, 20):
        for route in ROUTES:
            spoc = spocs.get(route[0])
            sensor = sensors.get(route[1]) if route[1] else None
            if spoc is None or (route[1] and sensor is None) or rng.random() < 0.5:
                continue
            _file(operator, spoc, sensor, route, targets, now - dt.timedelta(hours=hours_ago), rng)
    if uk is None or uk_staff is None:
        return
    steps = [
        [],
        [A.ACCEPT],
        [A.ACCEPT, A.SCHEDULE],
        [A.ACCEPT, A.SCHEDULE, A.COLLECT],
        [A.ACCEPT, A.SCHEDULE, A.COLLECT, A.DELIVER],
        [A.PROPOSE],
    ]
    for path in steps:
        request = _file(
            operator,
            uk,
            None,
            ROUTES[0],
            targets,
            now - dt.timedelta(hours=3),
            rng,
            marking=Marking.parse("SECRET//REL TO USA, GBR"),
        )
        if request is None:
            continue
        for step in path:
            if step == A.PROPOSE:
                alt = (now + dt.timedelta(hours=20), now + dt.timedelta(hours=26))
                request = transitions.apply(
                    request,
                    step,
                    by=uk_staff,
                    window=alt,
                    text="Radar booked until tomorrow.",
                    now=now - dt.timedelta(hours=2),
                )
            else:
                request = transitions.apply(request, step, by=uk_staff, now=now - dt.timedelta(hours=2))
    # Turned down today, with windows still ahead: the demand SSN retasking covers.
    for _ in range(6):
        request = _file(operator, uk, None, ROUTES[0], targets, now - dt.timedelta(hours=1), rng)
        if request is not None:
            transitions.apply(
                request,
                A.REJECT,
                by=uk_staff,
                reason_code="no_capacity",
                text="Radar fully booked.",
                now=now - dt.timedelta(minutes=30),
            )
    draft = Filing(
        title="Draft: characterise new GEO arrival",
        targets=targets[:1],
        windows=[(now + dt.timedelta(days=1), now + dt.timedelta(days=2))],
        priority="routine",
        purpose="catalog_maintenance",
        marking=Marking.parse("CUI//REL TO USA, GBR"),
        spoc=uk,
    )
    with contextlib.suppress(DomainError):
        file_request(draft, operator, submit=False, now=now)


def _seed_operation(
    operator: User,
    spocs: dict[str, SpOC],
    sensors: dict[int, Sensor],
    targets: list[SpaceObject],
    staff: dict[str, User | None],
    rng: random.Random,
    now: dt.datetime,
) -> None:
    """A crewed launch, DM-2 style: partners along the ascent ground track cover the early passes."""
    from tasking.services.operations import create_operation

    launch = now + dt.timedelta(hours=5)
    participants = [s for code, s in spocs.items() if code in {"uk-spoc", "au-spoc", "ca-spoc", "jp-spoc"}]
    operation = create_operation(
        operator,
        code=OPERATION_CODE,
        name="Crewed launch support (demo)",
        starts=launch - dt.timedelta(hours=2),
        ends=launch + dt.timedelta(days=2),
        marking=Marking.parse("CUI//REL TO USA, FVEY"),
        participants=participants,
        description="Track the crew vehicle and upper stage from insertion to docking; partners cover the "
        "passes over their sensors, the SSN fills the gaps.",
    )
    CoalitionOperation.objects.filter(pk=operation.pk).update(status=OperationStatus.ACTIVE)
    iss = next((t for t in targets if t.catalog_number == 25544), targets[0])
    plan = [
        ("Insertion, pass 1", "ca-spoc", None, ROUTES[2], 0.3),
        ("Orbit 1, pass over Europe", "uk-spoc", None, ROUTES[0], 1.2),
        ("Orbit 2, Indian Ocean pass", "au-spoc", 9401, ROUTES[5], 2.8),
        ("Phasing burn check", "jp-spoc", None, ROUTES[4], 6.0),
        ("Final approach support", "uk-spoc", 9101, ROUTES[1], 24.0),
    ]
    for label, code, number, route, offset in plan:
        spoc = spocs.get(code)
        sensor = sensors.get(number) if number else None
        if spoc is None or (number and sensor is None):
            continue
        start = launch + dt.timedelta(hours=offset)
        request = _file(
            operator,
            spoc,
            sensor,
            route,
            [iss],
            now - dt.timedelta(hours=1),
            rng,
            title=f"Crewed launch: {label}",
            windows=[(start, start + dt.timedelta(minutes=40))],
            priority="immediate",
            purpose="human_spaceflight",
            marking=Marking.parse("CUI//REL TO USA, FVEY")
            if spoc.nation_id in {"GBR", "AUS", "CAN"}
            else Marking.parse(f"CUI//REL TO USA, {spoc.nation_id}"),
            operation=operation,
        )
        responder = staff.get(code)
        if request is not None and responder is not None and rng.random() < 0.6:
            request = transitions.apply(request, A.ACCEPT, by=responder, now=now - dt.timedelta(minutes=30))
        SupportPlanEntry.objects.create(
            operation=operation,
            label=label,
            spoc=spoc,
            sensor=sensor,
            space_object=iss,
            start=start,
            end=start + dt.timedelta(minutes=40),
            request=request,
        )
