"""Integration tiers: lookups for other apps, the seeded defaults, and evaluation progress.

Default criteria (units: range km, angles deg, range-rate km/s; bias and noise are 1-sigma
figures from calibration against truth orbits):

| Level | range bias/noise | az-el bias/noise | RA-Dec bias/noise | range-rate bias/noise | latency |
| 1 | 0.03 / 0.05 | 0.005 / 0.01 | 0.0005 / 0.001 | 0.0005 / 0.001 | 15 min |
| 2 | 0.1 / 0.15 | 0.02 / 0.03 | 0.002 / 0.003 | 0.002 / 0.003 | 1 h |
| 3 | 0.5 / 0.5 | 0.05 / 0.1 | 0.01 / 0.01 | 0.01 / 0.01 | 6 h |
| 4 | information sharing only: no calibration, no observation ingest |

Missions: conjunction assessment and RPO need Level 1; catalog maintenance and launch / reentry
support Level 2; event cueing Level 3; information sharing any level. `required_formats` lists
the formats a tier accepts deliveries in (any one of them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agreements.choices import DataFormat, MeasurementType, Mission
from agreements.models import Sensor, TierDefinition, TierEvaluation

M = MeasurementType
OBSERVATION_FIELDS = ["sensor_number", "epoch", "object_id", "measurements", "uncertainties"]

DEFAULT_TIERS: list[dict[str, Any]] = [
    {
        "level": 1,
        "name": "Full integration",
        "description": "Calibrated like a US SSN sensor; observations flow machine to machine "
        "into the catalog.",
        "calibration_criteria": {
            M.RANGE: {"max_bias": 0.03, "max_noise": 0.05},
            M.AZIMUTH_ELEVATION: {"max_bias": 0.005, "max_noise": 0.01},
            M.RA_DEC: {"max_bias": 0.0005, "max_noise": 0.001},
            M.RANGE_RATE: {"max_bias": 0.0005, "max_noise": 0.001},
        },
        "max_delivery_latency": dt.timedelta(minutes=15),
        "required_formats": [DataFormat.TDM_KVN, DataFormat.TDM_XML, DataFormat.UDL_JSON],
        "required_fields": [*OBSERVATION_FIELDS, "sensor_site"],
        "admits_observation_ingest": True,
        "missions": list(Mission.values),
    },
    {
        "level": 2,
        "name": "Mission integration",
        "description": "Reduced calibration; data accepted for catalog maintenance and launch / "
        "reentry support.",
        "calibration_criteria": {
            M.RANGE: {"max_bias": 0.1, "max_noise": 0.15},
            M.AZIMUTH_ELEVATION: {"max_bias": 0.02, "max_noise": 0.03},
            M.RA_DEC: {"max_bias": 0.002, "max_noise": 0.003},
            M.RANGE_RATE: {"max_bias": 0.002, "max_noise": 0.003},
        },
        "max_delivery_latency": dt.timedelta(hours=1),
        "required_formats": [DataFormat.TDM_KVN, DataFormat.TDM_XML, DataFormat.UDL_JSON, DataFormat.CSV],
        "required_fields": OBSERVATION_FIELDS,
        "admits_observation_ingest": True,
        "missions": [
            Mission.CATALOG_MAINTENANCE,
            Mission.LAUNCH_REENTRY_SUPPORT,
            Mission.EVENT_CUEING,
            Mission.INFORMATION_SHARING,
        ],
    },
    {
        "level": 3,
        "name": "Cueing integration",
        "description": "Coarse calibration; observations cue US sensors to events, applied by hand.",
        "calibration_criteria": {
            M.RANGE: {"max_bias": 0.5, "max_noise": 0.5},
            M.AZIMUTH_ELEVATION: {"max_bias": 0.05, "max_noise": 0.1},
            M.RA_DEC: {"max_bias": 0.01, "max_noise": 0.01},
            M.RANGE_RATE: {"max_bias": 0.01, "max_noise": 0.01},
        },
        "max_delivery_latency": dt.timedelta(hours=6),
        "required_formats": [
            DataFormat.TDM_KVN,
            DataFormat.TDM_XML,
            DataFormat.UDL_JSON,
            DataFormat.CSV,
            DataFormat.B3,
        ],
        "required_fields": ["sensor_number", "epoch", "measurements"],
        "admits_observation_ingest": True,
        "missions": [Mission.EVENT_CUEING, Mission.INFORMATION_SHARING],
    },
    {
        "level": 4,
        "name": "Information sharing",
        "description": "Partners share information and analysis, non-routinely; no observation ingest.",
        "calibration_criteria": {},
        "max_delivery_latency": None,
        "required_formats": [],
        "required_fields": [],
        "admits_observation_ingest": False,
        "missions": [Mission.INFORMATION_SHARING],
    },
]


def tier_for(level: int | None) -> TierDefinition | None:
    if level is None:
        return None
    return TierDefinition.objects.filter(level=level).first()


def levels_fit_for(mission: Mission | str) -> list[int]:
    """The levels whose data may serve `mission`, best first."""
    return [tier.level for tier in TierDefinition.objects.order_by("level") if mission in tier.missions]


def is_fit_for(
    sensor: Sensor, mission: Mission | str, tiers: Mapping[int, TierDefinition] | None = None
) -> bool:
    """Whether `sensor`'s data may be used for `mission`. US SSN sensors serve every mission.

    Pass `tiers` (level -> definition) when asking about many sensors, to avoid a query each.
    """
    if sensor.is_us_ssn:
        return True
    if sensor.integration_level is None:
        return False
    tier = tiers.get(sensor.integration_level) if tiers is not None else tier_for(sensor.integration_level)
    return tier is not None and tier.is_fit_for(mission)


def tiers_by_level() -> dict[int, TierDefinition]:
    return {tier.level: tier for tier in TierDefinition.objects.all()}


def seed_default_tiers() -> int:
    for spec in DEFAULT_TIERS:
        TierDefinition.objects.update_or_create(
            level=spec["level"], defaults={key: value for key, value in spec.items() if key != "level"}
        )
    return len(DEFAULT_TIERS)


@dataclass(frozen=True)
class CriterionProgress:
    group: str  # "calibration" or "acceptance"
    key: str  # e.g. "range.max_bias", "delivery_latency"
    label: str
    threshold: str
    result: Any = None
    met: bool | None = None

    @property
    def has_result(self) -> bool:
        return self.result is not None


def _met(limit: Any, result: Any) -> bool | None:
    if result is None:
        return None
    if limit is None:
        return bool(result)
    if isinstance(result, dt.timedelta):
        return bool(result <= limit)
    return bool(abs(result) <= limit)


def evaluation_progress(
    evaluation: TierEvaluation, results: Mapping[str, Any] | None = None
) -> list[CriterionProgress]:
    """One row per criterion of the candidate level, with the result where one exists.

    `results` maps a row's key to a measured figure (calibration fills it in); without it every
    row reads "no result yet".
    """
    results = results or {}
    tier = tier_for(evaluation.candidate_level)
    if tier is None:
        return []
    rows: list[CriterionProgress] = []
    produced = set(evaluation.sensor.measurement_types or [])
    units = {M.RANGE: "km", M.AZIMUTH_ELEVATION: "deg", M.RA_DEC: "deg", M.RANGE_RATE: "km/s"}
    for measurement, limits in tier.calibration_criteria.items():
        if measurement not in produced:
            continue
        label = M(measurement).label
        for name, word in (("max_bias", "bias"), ("max_noise", "noise (1 sigma)")):
            key = f"{measurement}.{name}"
            limit = limits[name]
            rows.append(
                CriterionProgress(
                    "calibration",
                    key,
                    f"{label} {word}",
                    f"≤ {limit:g} {units[M(measurement)]}",
                    results.get(key),
                    _met(limit, results.get(key)),
                )
            )
    if tier.max_delivery_latency is not None:
        key = "delivery_latency"
        rows.append(
            CriterionProgress(
                "acceptance",
                key,
                "Delivery latency",
                f"≤ {tier.max_delivery_latency}",
                results.get(key),
                _met(tier.max_delivery_latency, results.get(key)),
            )
        )
    if tier.required_formats:
        key = "format"
        rows.append(
            CriterionProgress(
                "acceptance",
                key,
                "Delivery format",
                "one of " + ", ".join(tier.required_formats),
                results.get(key),
                _met(None, results.get(key)),
            )
        )
    if tier.required_fields:
        key = "completeness"
        rows.append(
            CriterionProgress(
                "acceptance",
                key,
                "Completeness",
                "fields " + ", ".join(tier.required_fields),
                results.get(key),
                _met(None, results.get(key)),
            )
        )
    return rows
