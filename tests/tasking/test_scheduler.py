"""The retasking scheduler: within capacity and windows, priorities first, near the exact optimum."""

from __future__ import annotations

import itertools
import math

import pytest

from tasking.scheduler import (
    Demand,
    GapReason,
    ScheduleError,
    SensorPlan,
    objective,
    schedule,
)
from tests.tasking.scheduling_reference import generate, optimum

T0 = 1_780_000_200.0  # a multiple of 600 s


def _check_valid(result, demands, plans, accesses, min_track_s=60.0):
    by_request = {d.request: d for d in demands}
    by_sensor = {p.sensor: p for p in plans}
    slots = set()
    per_request: dict[int, int] = {}
    for task in result.tasks:
        d = by_request[task.request]
        plan = by_sensor[task.sensor]
        length = math.ceil(3600 / plan.tracks_per_hour)
        assert task.end_s - task.start_s == length and task.start_s % length == 0
        assert d.start_s <= task.start_s and task.end_s <= d.end_s
        assert task.target == d.target
        inside = [
            (max(a0, d.start_s), min(a1, d.end_s))
            for s, a0, a1 in accesses[d.target]
            if s == task.sensor and a0 <= task.start_s and task.end_s <= a1
        ]
        assert inside and any(hi - lo >= min_track_s for lo, hi in inside)
        assert not any(o0 < task.end_s and task.start_s < o1 for o0, o1 in plan.outages)
        assert (task.sensor, task.start_s) not in slots, "a sensor slot is booked twice"
        slots.add((task.sensor, task.start_s))
        per_request[task.request] = per_request.get(task.request, 0) + 1
    for request, count in per_request.items():
        assert count <= by_request[request].tracks
    for d in demands:
        if d.min_spacing_s:
            mine = sorted((t.sensor, t.start_s) for t in result.tasks if t.request == d.request)
            for (s1, a), (s2, b) in itertools.pairwise(mine):
                assert s1 != s2 or b - a >= d.min_spacing_s
    missing = {g.request: g.tracks_missing for g in result.gaps}
    for d in demands:
        assert per_request.get(d.request, 0) + missing.get(d.request, 0) == d.tracks


def test_higher_priority_takes_the_only_slot():
    plans = [SensorPlan(1, 6)]  # 600 s slots
    accesses = {7: [(1, T0, T0 + 600)]}
    low = Demand(10, 7, T0 - 3600, T0 + 3600, 1, priority=5)
    high = Demand(11, 7, T0 - 3600, T0 + 3600, 1, priority=1)
    result = schedule([low, high], plans, accesses)
    assert [(t.request, t.start_s) for t in result.tasks] == [(11, T0)]
    assert [(g.request, g.reason) for g in result.gaps] == [(10, GapReason.CAPACITY_EXHAUSTED)]


def test_a_placed_track_moves_to_make_room_for_another():
    # Request 1 (first in order) could use either slot; request 2 only the first. Both fit.
    plans = [SensorPlan(1, 6)]
    accesses = {1: [(1, T0, T0 + 1200)], 2: [(1, T0, T0 + 600)]}
    d1 = Demand(1, 1, T0, T0 + 1200, 1, priority=2)
    d2 = Demand(2, 2, T0, T0 + 3600, 1, priority=2)
    result = schedule([d1, d2], plans, accesses)
    assert sorted((t.request, t.start_s) for t in result.tasks) == [(1, T0 + 600), (2, T0)]
    assert result.gaps == []


def test_each_gap_says_why():
    plans = [SensorPlan(1, 6, outages=((T0 + 7200, T0 + 10800),)), SensorPlan(2, 6)]
    accesses = {
        1: [],
        2: [(1, T0, T0 + 40)],
        3: [(1, T0 + 7200, T0 + 9000)],
        4: [(2, T0, T0 + 600)],
    }
    demands = [
        Demand(1, 1, T0, T0 + 3600, 1, 3),
        Demand(2, 2, T0, T0 + 3600, 1, 3),
        Demand(3, 3, T0, T0 + 10800, 1, 3),
        Demand(4, 4, T0, T0 + 3600, 2, 3),
        Demand(5, 99, T0, T0 + 3600, 1, 3),
    ]
    result = schedule(demands, plans, accesses)
    reasons = {g.request: (g.tracks_missing, g.reason) for g in result.gaps}
    assert reasons == {
        1: (1, GapReason.NOT_VISIBLE),
        2: (1, GapReason.WINDOW_TOO_SHORT),
        3: (1, GapReason.SENSOR_OUTAGE),
        4: (1, GapReason.CAPACITY_EXHAUSTED),
        5: (1, GapReason.NOT_VISIBLE),
    }


def test_slots_already_holding_tasks_are_not_offered():
    plans = [SensorPlan(1, 6, busy_slot_starts=(T0,))]
    accesses = {1: [(1, T0, T0 + 1200)]}
    result = schedule([Demand(1, 1, T0, T0 + 1200, 2, 1)], plans, accesses)
    assert [t.start_s for t in result.tasks] == [T0 + 600]
    assert [(g.tracks_missing, g.reason) for g in result.gaps] == [(1, GapReason.CAPACITY_EXHAUSTED)]


def test_minimum_spacing_between_tracks_of_one_target_on_one_sensor():
    plans = [SensorPlan(1, 60)]  # 60 s slots
    accesses = {1: [(1, T0, T0 + 1800)]}
    result = schedule([Demand(1, 1, T0, T0 + 1800, 3, 1, min_spacing_s=600)], plans, accesses)
    starts = sorted(t.start_s for t in result.tasks)
    assert len(starts) == 3 and all(b - a >= 600 for a, b in itertools.pairwise(starts))


def test_the_same_input_gives_the_same_schedule():
    demands, plans, accesses = generate(3, 80, 4, 30)
    first = schedule(demands, plans, accesses)
    again = schedule(list(demands), list(plans), dict(accesses))
    assert first.tasks == again.tasks and first.gaps == again.gaps


@pytest.mark.parametrize(
    ("seed", "n_requests", "n_sensors", "n_targets"),
    [(1, 20, 2, 8), (2, 40, 3, 15), (4, 60, 3, 20), (5, 150, 5, 50), (6, 250, 6, 80)],
)
def test_within_one_percent_of_the_milp_optimum_on_generated_instances(
    seed, n_requests, n_sensors, n_targets
):
    demands, plans, accesses = generate(seed, n_requests, n_sensors, n_targets)
    result = schedule(demands, plans, accesses)
    _check_valid(result, demands, plans, accesses)
    best = optimum(demands, plans, accesses)
    ours = objective(result, demands)
    assert best > 0
    assert ours <= best + 1e-6
    assert ours >= 0.99 * best, (ours, best)


def test_without_spacing_the_result_is_the_exact_optimum():
    demands, plans, accesses = generate(8, 200, 5, 60, spacing_share=0.0)
    result = schedule(demands, plans, accesses)
    assert objective(result, demands) == pytest.approx(optimum(demands, plans, accesses))


@pytest.mark.parametrize(
    ("demand", "field"),
    [
        (Demand(5, 1, T0, T0, 1, 1), "end_s"),
        (Demand(5, 1, T0, T0 + 60, 0, 1), "tracks"),
        (Demand(5, 1, T0, T0 + 60, 1, 1, min_spacing_s=-1), "min_spacing_s"),
    ],
)
def test_bad_demand_is_refused_naming_the_request_and_field(demand, field):
    with pytest.raises(ScheduleError, match=f"request 5: {field}"):
        schedule([demand], [SensorPlan(1, 6)], {})


def test_sensor_without_capacity_is_refused():
    with pytest.raises(ScheduleError, match="sensor 9: tracks_per_hour"):
        schedule([], [SensorPlan(9, 0)], {})
