"""An exact reference for the retasking scheduler: the same model as a MILP, solved by HiGHS.

Written from the model's statement (slots of ceil(3600 / tracks_per_hour) s on the epoch, a track
in a slot inside the request window and one access window whose overlap lasts ``min_track_s``),
not from the scheduler's code. Also generates instances for the tests and the bench.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from tasking.scheduler import Demand, SensorPlan, priority_weight


def candidate_slots(demands, plans, accesses, min_track_s=60.0):
    """(demand index, sensor id, slot start) triples a track may use."""
    blocked = set()
    for plan in plans:
        length = math.ceil(3600 / plan.tracks_per_hour)
        for start in plan.busy_slot_starts:
            blocked.add((plan.sensor, int(start // length) * length))
    by_sensor = {p.sensor: p for p in plans}
    out = set()
    for i, d in enumerate(demands):
        for sensor, a0, a1 in accesses.get(d.target, ()):
            plan = by_sensor.get(sensor)
            if plan is None:
                continue
            lo, hi = max(a0, d.start_s), min(a1, d.end_s)
            if hi - lo < min_track_s or hi <= lo:
                continue
            length = math.ceil(3600 / plan.tracks_per_hour)
            t = math.ceil(lo / length) * length
            while t + length <= hi:
                in_outage = any(o0 < t + length and t < o1 for o0, o1 in plan.outages)
                if not in_outage and (sensor, t) not in blocked:
                    out.add((i, sensor, t))
                t += length
    return sorted(out)


def optimum(demands, plans, accesses, min_track_s=60.0, relax=False, time_limit=120.0):
    """The best priority-weighted coverage (MILP, or its LP relaxation when ``relax``)."""
    cands = candidate_slots(demands, plans, accesses, min_track_s)
    if not cands:
        return 0.0
    n = len(cands)
    weights = np.array([priority_weight(demands[i].priority) for i, _, _ in cands])
    rows: list[int] = []
    cols: list[int] = []
    upper: list[float] = []

    def add(members, bound):
        r = len(upper)
        rows.extend([r] * len(members))
        cols.extend(members)
        upper.append(bound)

    per_demand = defaultdict(list)
    per_slot = defaultdict(list)
    for j, (i, s, t) in enumerate(cands):
        per_demand[i].append(j)
        per_slot[(s, t)].append(j)
    for i, members in per_demand.items():
        add(members, demands[i].tracks)
    for members in per_slot.values():
        if len(members) > 1:
            add(members, 1)
    # Minimum spacing: slots of one demand on one sensor starting within the spacing of each
    # other form a clique; one sliding window per slot covers every conflicting pair.
    by_pair = defaultdict(list)
    for j, (i, s, t) in enumerate(cands):
        if demands[i].min_spacing_s > 0:
            by_pair[(i, s)].append((t, j))
    for (i, _), items in by_pair.items():
        items.sort()
        gap = demands[i].min_spacing_s
        for a, (t0, _) in enumerate(items):
            window = [j for t, j in items[a:] if t - t0 < gap]
            if len(window) > 1:
                add(window, 1)
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(upper), n)).tocsr()
    result = milp(
        -weights,
        constraints=LinearConstraint(matrix, -np.inf, np.array(upper, dtype=float)),
        integrality=np.zeros(n) if relax else np.ones(n),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    assert result.status == 0, result.message
    return -float(result.fun)


def generate(seed, n_requests, n_sensors, n_targets, horizon_h=24.0, spacing_share=0.3, outage_share=0.2):
    """A random instance: sensors with capacity and outages, targets with passes, demand."""
    rng = np.random.default_rng(seed)
    t0 = 1_780_000_000.0
    plans = []
    for s in range(n_sensors):
        outages = []
        if rng.random() < outage_share:
            o = t0 + rng.uniform(0, horizon_h * 3600)
            outages.append((o, o + rng.uniform(1800, 6 * 3600)))
        plans.append(SensorPlan(100 + s, int(rng.choice([4, 6, 10, 12, 20, 30])), tuple(outages)))
    accesses = {}
    for g in range(n_targets):
        wins = []
        for s in range(n_sensors):
            if rng.random() < 0.35:
                continue
            t = t0 + rng.uniform(0, 3600)
            while t < t0 + horizon_h * 3600:
                length = rng.uniform(30, 900)
                wins.append((100 + s, t, t + length))
                t += length + rng.uniform(1800, 6 * 3600)
        accesses[g] = sorted(wins, key=lambda w: (w[1], w[0]))
    demands = []
    for r in range(n_requests):
        start = t0 + rng.uniform(0, horizon_h * 3600 * 0.7)
        length = rng.uniform(1800, horizon_h * 3600 * 0.5)
        spacing = float(rng.choice([300.0, 900.0])) if rng.random() < spacing_share else 0.0
        demands.append(
            Demand(
                request=r + 1,
                target=int(rng.integers(n_targets)) if rng.random() > 0.03 else n_targets + 5,
                start_s=start,
                end_s=start + length,
                tracks=int(rng.integers(1, 4)),
                priority=int(rng.integers(1, 6)),
                min_spacing_s=spacing,
            )
        )
    return demands, plans, accesses
