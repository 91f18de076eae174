"""The retasking scheduler: unmet demand onto US SSN sensor slots, and what cannot be covered.

A plain module (no Django): times are seconds since the Unix epoch (UTC), sensors, targets and
requests are the caller's integer ids.

Model. Each sensor's time is cut into slots of ``ceil(3600 / tracks_per_hour)`` seconds, aligned
on the epoch so that every run sees the same slots (the database keeps one task per sensor slot).
A track takes one slot; the slot must lie inside the request's window and inside one access
window of the target from that sensor, and that overlap must last at least ``min_track_s``.
Slots in an outage or already holding a task are not offered.

Method. Requests are taken by priority (1 first), then by window end and id. Each wanted track is
placed in a free slot if one is offered; if not, an augmenting path moves already placed tracks of
equal or higher priority to other slots to free one (a track once placed is never dropped). For
one-slot-per-track demand this is the greedy algorithm of a transversal matroid, so it reaches the
exact optimum of any priority weighting that favours higher priorities, and higher priorities are
served strictly first. A minimum spacing between the tracks of one request on one sensor makes the
problem harder; the spacing is then kept by refusing the slots that break it, and the result is
no longer guaranteed optimal (the tests and the bench compare it with an exact MILP optimum).

Deterministic: the same input gives the same tasks in the same order.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# Copies one augmenting search may visit. It bounds the cost of a search on a saturated network;
# the paths that matter are short, and the MILP comparison checks what the bound costs.
SEARCH_BUDGET = 30

FREE = 0
TAKEN = 1
BUSY = 2  # a task scheduled before this run
OUTAGE = 3
SEEN = 4  # taken, and searched from without success since the last placement


def _reopen(problem: _Problem, visited: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Forget the searched marks (after a success changed the placements); return an empty list."""
    for sensor, slot in visited:
        if problem.state[sensor][slot] == SEEN:
            problem.state[sensor][slot] = TAKEN
    return []


class GapReason(StrEnum):
    NOT_VISIBLE = "not_visible"
    WINDOW_TOO_SHORT = "window_too_short"
    SENSOR_OUTAGE = "sensor_outage"
    CAPACITY_EXHAUSTED = "capacity_exhausted"
    SPACING = "spacing"

    @property
    def label(self) -> str:
        return GAP_LABELS[self]


GAP_LABELS = {
    GapReason.NOT_VISIBLE: "Never visible from any SSN sensor in the window",
    GapReason.WINDOW_TOO_SHORT: "Visible, but never long enough for a track",
    GapReason.SENSOR_OUTAGE: "Visible only from sensors in outage",
    GapReason.CAPACITY_EXHAUSTED: "Every usable sensor slot is taken",
    GapReason.SPACING: "Free slots would break the minimum spacing between tracks",
}


class ScheduleError(ValueError):
    """Input the scheduler cannot use; the message names the record and field."""


@dataclass(frozen=True)
class Demand:
    """One unmet request: a target, a window, how many tracks, and its priority (1 = highest)."""

    request: int
    target: int
    start_s: float
    end_s: float
    tracks: int
    priority: int
    min_spacing_s: float = 0.0


@dataclass(frozen=True)
class SensorPlan:
    """An SSN sensor: capacity, outages ``(start_s, end_s)`` (``end_s`` may be ``inf``) and the
    start times of slots already holding tasks."""

    sensor: int
    tracks_per_hour: int
    outages: tuple[tuple[float, float], ...] = ()
    busy_slot_starts: tuple[float, ...] = ()

    @property
    def slot_s(self) -> int:
        return math.ceil(3600 / self.tracks_per_hour)


@dataclass(frozen=True)
class Task:
    request: int
    sensor: int
    target: int
    start_s: int
    end_s: int


@dataclass(frozen=True)
class Gap:
    request: int
    tracks_missing: int
    reason: GapReason


@dataclass
class Schedule:
    tasks: list[Task] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def tracks_by_request(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for task in self.tasks:
            counts[task.request] = counts.get(task.request, 0) + 1
        return counts


def priority_weight(priority: int, levels: int = 5) -> float:
    """The weight of one track in the coverage objective: each level counts twice the next."""
    return float(2 ** (levels - priority))


def objective(schedule: Schedule, demands: Sequence[Demand], levels: int = 5) -> float:
    """Priority-weighted coverage: the sum over placed tracks of their request's weight."""
    weight = {d.request: priority_weight(d.priority, levels) for d in demands}
    return sum(weight[t.request] for t in schedule.tasks)


# An access window of a target from a sensor: (sensor, start_s, end_s).
Access = tuple[int, float, float]


@dataclass
class _Segment:
    sensor: int  # index into the plans
    first: int  # local slot indices, inclusive
    last: int


_Path = tuple[tuple[int, int, int], ...]


@dataclass
class _Problem:
    demands: list[Demand]
    plans: list[SensorPlan]
    base: list[int]  # global slot number of local slot 0, per sensor
    state: list[bytearray]
    owner: list[dict[int, int]]  # local slot -> copy
    segments: list[list[_Segment]]  # per demand
    visible: list[bool]  # per demand: some access in the window
    held: dict[int, tuple[int, int]] = field(default_factory=dict)  # copy -> (sensor, slot)
    copy_demand: list[int] = field(default_factory=list)  # copy -> demand index
    copies_of: list[list[int]] = field(default_factory=list)  # demand index -> copies
    slot_lengths: list[int] = field(default_factory=list)  # per sensor, seconds

    def __post_init__(self) -> None:
        self.slot_lengths = [plan.slot_s for plan in self.plans]

    def slot_times(self, sensor: int, slot: int) -> tuple[int, int]:
        length = self.slot_lengths[sensor]
        start = (self.base[sensor] + slot) * length
        return start, start + length

    def spacing_ok(self, copy: int, sensor: int, slot: int, path: _Path = ()) -> bool:
        return not self.conflicts(copy, sensor, slot, path)

    def conflicts(self, copy: int, sensor: int, slot: int, path: _Path = ()) -> list[int]:
        """Sibling tracks too close to ``slot`` for ``copy``, after the moves of ``path``.

        ``path`` lists pending moves ``(copy, sensor, slot)``; a slot of -1 means the copy
        leaves its slot (it is being moved elsewhere).
        """
        demand = self.demands[self.copy_demand[copy]]
        if demand.min_spacing_s <= 0:
            return []
        moved = {m: (s, k) for m, s, k in path}
        start, _ = self.slot_times(sensor, slot)
        found = []
        for other in self.copies_of[self.copy_demand[copy]]:
            if other == copy:
                continue
            where = moved.get(other, self.held.get(other))
            if where is None or where[1] < 0 or where[0] != sensor:
                continue
            if abs(self.slot_times(*where)[0] - start) < demand.min_spacing_s:
                found.append(other)
        return found

    def spaced(self, copy: int) -> bool:
        return self.demands[self.copy_demand[copy]].min_spacing_s > 0

    def free_slot(self, copy: int, segment: _Segment, path: _Path = ()) -> int | None:
        row = self.state[segment.sensor]
        k = row.find(FREE, segment.first, segment.last + 1)
        if not self.spaced(copy):
            return k if k != -1 else None
        while k != -1:
            if self.spacing_ok(copy, segment.sensor, k, path):
                return k
            k = row.find(FREE, k + 1, segment.last + 1)
        return None

    def take(self, copy: int, sensor: int, slot: int) -> None:
        previous = self.held.get(copy)
        if previous is not None and self.owner[previous[0]].get(previous[1]) == copy:
            s, k = previous
            self.state[s][k] = FREE
            del self.owner[s][k]
        self.state[sensor][slot] = TAKEN
        self.owner[sensor][slot] = copy
        self.held[copy] = (sensor, slot)


def schedule(
    demands: Sequence[Demand],
    plans: Sequence[SensorPlan],
    accesses: Mapping[int, Sequence[Access]],
    min_track_s: float = 60.0,
) -> Schedule:
    """Place the demand's tracks on the sensors' slots; report every track left uncovered and why.

    ``accesses`` maps a target to its access windows ``(sensor, start_s, end_s)`` (sensor ids as in
    ``plans``). Raises `ScheduleError` for a demand or sensor that cannot be used.
    """
    problem = _build(demands, plans, accesses, min_track_s)
    order = sorted(range(len(problem.demands)), key=lambda i: _demand_key(problem.demands[i]))
    levels = sorted({d.priority for d in problem.demands})
    visited: list[tuple[int, int]] = []
    for level in levels:
        visited = _reopen(problem, visited)
        for d in order:
            if problem.demands[d].priority != level:
                continue
            for copy in problem.copies_of[d]:
                if _place_direct(problem, copy):
                    continue
                if not _augment(problem, copy, visited):
                    break  # the request's other tracks have the same options
                visited = _reopen(problem, visited)
    # Later moves can open paths that were closed when a track was first tried; with spacing
    # rules the closed-set argument above no longer holds, so try the unplaced tracks once more.
    visited = _reopen(problem, visited)
    for d in order:
        if not problem.segments[d]:
            continue
        for copy in problem.copies_of[d]:
            if copy in problem.held:
                continue
            if not _augment(problem, copy, visited):
                # Its unplaced siblings would search the same slots, closed by this failed
                # search and not reopened since: they would fail too.
                break
            visited = _reopen(problem, visited)
    _reopen(problem, visited)
    return _result(problem)


def _demand_key(d: Demand) -> tuple[int, float, float, int]:
    return (d.priority, d.end_s, d.start_s, d.request)


def _build(
    demands: Sequence[Demand],
    plans: Sequence[SensorPlan],
    accesses: Mapping[int, Sequence[Access]],
    min_track_s: float,
) -> _Problem:
    sensor_index: dict[int, int] = {}
    for i, plan in enumerate(plans):
        if plan.tracks_per_hour <= 0:
            raise ScheduleError(f"sensor {plan.sensor}: tracks_per_hour must be positive")
        if plan.sensor in sensor_index:
            raise ScheduleError(f"sensor {plan.sensor}: listed twice")
        sensor_index[plan.sensor] = i
    seen_requests: set[int] = set()
    for d in demands:
        if d.request in seen_requests:
            raise ScheduleError(f"request {d.request}: listed twice")
        seen_requests.add(d.request)
        if not d.end_s > d.start_s:
            raise ScheduleError(f"request {d.request}: end_s must be after start_s")
        if d.tracks < 1:
            raise ScheduleError(f"request {d.request}: tracks must be at least 1")
        if d.min_spacing_s < 0:
            raise ScheduleError(f"request {d.request}: min_spacing_s must not be negative")
    horizon = (min(d.start_s for d in demands), max(d.end_s for d in demands)) if demands else (0.0, 0.0)
    base, state = [], []
    for plan in plans:
        length = plan.slot_s
        first = math.floor(horizon[0] / length)
        count = max(0, math.ceil(horizon[1] / length) - first)
        row = bytearray(count)
        for o_start, o_end in plan.outages:
            lo = max(0, math.floor(o_start / length) - first)
            hi = count if math.isinf(o_end) else min(count, math.ceil(o_end / length) - first)
            row[lo:hi] = bytes([OUTAGE]) * max(0, hi - lo)
        for busy in plan.busy_slot_starts:
            k = math.floor(busy / length) - first
            if 0 <= k < count:
                row[k] = BUSY
        base.append(first)
        state.append(row)
    segments: list[list[_Segment]] = []
    visible: list[bool] = []
    for d in demands:
        mine: list[_Segment] = []
        seen = False
        for sensor, a_start, a_end in accesses.get(d.target, ()):
            s = sensor_index.get(sensor)
            if s is None:
                continue
            open_s, close_s = max(a_start, d.start_s), min(a_end, d.end_s)
            if close_s <= open_s:
                continue
            seen = True
            if close_s - open_s < min_track_s:
                continue
            length = plans[s].slot_s
            first = math.ceil(open_s / length) - base[s]
            last = math.floor(close_s / length) - 1 - base[s]
            if last >= first:
                mine.append(_Segment(s, first, last))
        mine.sort(key=lambda g: ((base[g.sensor] + g.first) * plans[g.sensor].slot_s, g.sensor))
        segments.append(mine)
        visible.append(seen)
    problem = _Problem(
        demands=list(demands),
        plans=list(plans),
        base=base,
        state=state,
        owner=[{} for _ in plans],
        segments=segments,
        visible=visible,
    )
    for index, demand in enumerate(demands):
        ids = list(range(len(problem.copy_demand), len(problem.copy_demand) + demand.tracks))
        problem.copy_demand.extend([index] * demand.tracks)
        problem.copies_of.append(ids)
    return problem


def _place_direct(problem: _Problem, copy: int) -> bool:
    for segment in problem.segments[problem.copy_demand[copy]]:
        k = problem.free_slot(copy, segment)
        if k is not None:
            problem.take(copy, segment.sensor, k)
            return True
    return False


def _augment(problem: _Problem, start: int, visited: list[tuple[int, int]]) -> bool:
    """Breadth-first search for an alternating path that frees a slot for copy ``start``.

    A path is a list of moves ``(copy, sensor, slot)``: ``start`` takes a slot, whose holder takes
    another, and so on until one takes a free slot. A step may also move a sibling track of the
    same request out of the way of the spacing rule; the slot it leaves is then free for the
    copies further along that path. ``visited`` holds slots from which no path was found since
    the last success; without spacing rules they stay closed (nothing inside them changed), so
    failed searches are not repeated.
    """
    Node = tuple[int, _Path, tuple[tuple[int, int], ...]]  # copy, moves above it, released slots
    seen: set[tuple[int, int, int]] = {(start, -1, -1)}
    queue: deque[Node] = deque([(start, (), ())])
    budget = SEARCH_BUDGET
    while queue and budget > 0:
        budget -= 1
        copy, above, released = queue.popleft()
        movers = {m for m, _, _ in above}
        leaving = (*above, (copy, 0, -1))
        # Without a spacing rule every slot suits the copy: the checks below are skipped, not
        # answered (most demand has none, and they are most of a search's cost).
        spaced = problem.spaced(copy)
        for segment in problem.segments[problem.copy_demand[copy]]:
            row = problem.state[segment.sensor]
            owners = problem.owner[segment.sensor]
            end = segment.last + 1
            if spaced:
                k = problem.free_slot(copy, segment, leaving)
            else:
                k = row.find(FREE, segment.first, end)
                k = None if k == -1 else k
            if k is None and released:
                k = next(
                    (
                        slot
                        for sensor, slot in released
                        if sensor == segment.sensor
                        and segment.first <= slot <= segment.last
                        and problem.spacing_ok(copy, sensor, slot, leaving)
                    ),
                    None,
                )
            if k is not None and _apply(problem, [(copy, segment.sensor, k), *reversed(above)]):
                return True
            if spaced:
                slot = row.find(FREE, segment.first, end)
                while slot != -1:
                    # Free but too close to one sibling track: moving that sibling away frees it.
                    close = problem.conflicts(copy, segment.sensor, slot, leaving)
                    sibling = close[0] if len(close) == 1 else None
                    if (
                        sibling is not None
                        and sibling not in movers
                        and sibling in problem.held
                        and (sibling, segment.sensor, slot) not in seen
                    ):
                        seen.add((sibling, segment.sensor, slot))
                        step = (*above, (copy, segment.sensor, slot))
                        queue.append((sibling, step, (*released, problem.held[sibling])))
                    slot = row.find(FREE, slot + 1, end)
            # Taken slots not yet searched from (searched ones are marked SEEN, skipped by find).
            slot = row.find(TAKEN, segment.first, end)
            while slot != -1:
                holder = owners[slot]
                if (
                    holder not in movers
                    and holder != copy
                    and (
                        not spaced
                        or problem.spacing_ok(copy, segment.sensor, slot, (*leaving, (holder, 0, -1)))
                    )
                ):
                    row[slot] = SEEN
                    visited.append((segment.sensor, slot))
                    seen.add((holder, segment.sensor, slot))
                    queue.append((holder, (*above, (copy, segment.sensor, slot)), released))
                slot = row.find(TAKEN, slot + 1, end)
    return False


def _apply(problem: _Problem, moves: list[tuple[int, int, int]]) -> bool:
    """Make the moves, the last copy of the path first; undo them if the spacing no longer holds."""
    before = {mover: problem.held[mover] for mover, _, _ in moves if mover in problem.held}
    for mover, s, k in moves:
        problem.take(mover, s, k)
    if all(problem.spacing_ok(c, *problem.held[c]) for c, _, _ in moves):
        return True
    for mover, _, _ in moves:
        s, k = problem.held.pop(mover)
        if problem.owner[s].get(k) == mover:
            problem.state[s][k] = FREE
            del problem.owner[s][k]
    for mover, slot in before.items():
        problem.take(mover, *slot)
    return False


def _result(problem: _Problem) -> Schedule:
    out = Schedule()
    placed: dict[int, int] = {}
    for copy in sorted(problem.held, key=lambda c: (problem.copy_demand[c], c)):
        d = problem.demands[problem.copy_demand[copy]]
        s, k = problem.held[copy]
        start, end = problem.slot_times(s, k)
        out.tasks.append(Task(d.request, problem.plans[s].sensor, d.target, start, end))
        placed[d.request] = placed.get(d.request, 0) + 1
    for i, d in enumerate(problem.demands):
        missing = d.tracks - placed.get(d.request, 0)
        if missing > 0:
            out.gaps.append(Gap(d.request, missing, _reason(problem, i)))
    out.tasks.sort(key=lambda t: (t.sensor, t.start_s, t.request))
    return out


def _reason(problem: _Problem, d: int) -> GapReason:
    if not problem.visible[d]:
        return GapReason.NOT_VISIBLE
    segments = problem.segments[d]
    if not segments:
        return GapReason.WINDOW_TOO_SHORT
    states = [problem.state[g.sensor][g.first : g.last + 1] for g in segments]
    if all(set(row) <= {OUTAGE} for row in states):
        return GapReason.SENSOR_OUTAGE
    if any(FREE in row for row in states):
        return GapReason.SPACING
    return GapReason.CAPACITY_EXHAUSTED
