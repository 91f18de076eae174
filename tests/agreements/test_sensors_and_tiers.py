"""What other apps ask a sensor (field of regard, availability, biases) and the tier rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from agreements.choices import EvaluationStatus, MeasurementType, Mission, SensorStatus, SensorType
from agreements.models import Sensor, SensorOutage, TierDefinition, TierEvaluation
from agreements.services.tiers import evaluation_progress, is_fit_for, levels_fit_for, tier_for
from portal.errors import Conflict, DomainError, NotAllowed
from portal.markings.models import marking_columns
from portal.models import AuditEvent, User
from tests.agreements.conftest import NOW, finished_calibration_run
from tests.factories import SensorBiasFactory

pytestmark = pytest.mark.django_db


def test_a_sensor_sees_above_its_minimum_elevation_within_its_range(
    make_sensor: Callable[..., Sensor],
) -> None:
    radar = make_sensor(min_elevation_deg=5.0, max_range_km=3000.0)
    assert radar.can_see(10.0, 5.0, 2999.0)
    assert not radar.can_see(10.0, 4.9, 1000.0)
    assert not radar.can_see(10.0, 45.0, 3000.1)
    assert radar.can_see(10.0, 45.0, None)


def test_an_azimuth_sector_through_north_wraps_around(make_sensor: Callable[..., Sensor]) -> None:
    radar = make_sensor(azimuth_min_deg=300.0, azimuth_max_deg=60.0)
    assert radar.can_see(330.0, 20.0) and radar.can_see(0.0, 20.0) and radar.can_see(60.0, 20.0)
    assert radar.can_see(-10.0, 20.0)  # the same as 350
    assert not radar.can_see(180.0, 20.0) and not radar.can_see(299.0, 20.0)
    southern = make_sensor(azimuth_min_deg=120.0, azimuth_max_deg=240.0)
    assert southern.can_see(180.0, 20.0) and not southern.can_see(0.0, 20.0)


def test_the_field_of_regard_test_works_on_arrays(make_sensor: Callable[..., Sensor]) -> None:
    radar = make_sensor(azimuth_min_deg=300.0, azimuth_max_deg=60.0, max_range_km=1000.0)
    mask = radar.field_of_regard_mask(
        np.array([0.0, 90.0, 330.0, 10.0]),
        np.array([30.0, 30.0, -1.0, 30.0]),
        np.array([500.0, 500.0, 500.0, np.nan]),
    )
    assert mask.tolist() == [True, False, False, True]


def test_a_sensor_is_unavailable_in_maintenance_or_during_an_outage(
    make_sensor: Callable[..., Sensor],
) -> None:
    sensor = make_sensor()
    SensorOutage.objects.create(
        sensor=sensor, start=NOW, end=NOW + dt.timedelta(hours=2), reason="Maintenance"
    )
    assert sensor.is_available(NOW - dt.timedelta(seconds=1))
    assert not sensor.is_available(NOW)
    assert sensor.is_available(NOW + dt.timedelta(hours=2))
    SensorOutage.objects.create(sensor=sensor, start=NOW + dt.timedelta(days=1), reason="Failure, open-ended")
    assert not sensor.is_available(NOW + dt.timedelta(days=30))
    sensor.status = SensorStatus.DEGRADED
    assert sensor.is_available(NOW - dt.timedelta(days=1))
    sensor.status = SensorStatus.OFFLINE
    assert not sensor.is_available(NOW - dt.timedelta(days=1))


def test_the_site_is_latitude_longitude_altitude(make_sensor: Callable[..., Sensor]) -> None:
    assert make_sensor(latitude_deg=30.57, longitude_deg=-86.21, altitude_km=0.03).site == (
        30.57,
        -86.21,
        0.03,
    )


def test_current_biases_are_the_latest_per_measurement_type(
    make_sensor: Callable[..., Sensor], coalition: dict[str, User]
) -> None:
    sensor = make_sensor("uk-spoc")
    marking = marking_columns("CUI//REL TO USA, GBR")
    old = SensorBiasFactory.create(
        sensor=sensor,
        measurement_type="range",
        bias=0.05,
        noise_sigma=0.1,
        effective_date=dt.date(2024, 1, 1),
        source="memo 1",
        **marking,
    )
    new = SensorBiasFactory.create(
        sensor=sensor,
        measurement_type="range",
        bias=0.02,
        noise_sigma=0.04,
        effective_date=dt.date(2024, 6, 1),
        source="memo 2",
        **marking,
    )
    angles = SensorBiasFactory.create(
        sensor=sensor,
        measurement_type="azimuth_elevation",
        bias=0.01,
        noise_sigma=0.02,
        effective_date=dt.date(2023, 1, 1),
        source="memo",
        **marking_columns("SECRET//NOFORN"),
    )
    assert sensor.current_biases() == {"range": new, "azimuth_elevation": angles}
    assert sensor.current_biases(coalition["uk_staff"]) == {"range": new}
    assert old.units == "km" and angles.units == "deg"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"latitude_deg": 91.0}, "latitude_deg"),
        ({"longitude_deg": -181.0}, "longitude_deg"),
        ({"measurement_types": ["sonar"]}, "measurement_types"),
        ({"measurement_types": []}, "measurement_types"),
        ({"azimuth_min_deg": 10.0}, "azimuth_max_deg"),
        ({"max_range_km": None}, "max_range_km"),
        ({"sensor_type": SensorType.OPTICAL_TELESCOPE, "limiting_magnitude": 16.0}, "measurement_types"),
        (
            {"sensor_type": SensorType.OPTICAL_TELESCOPE, "measurement_types": ["ra_dec"]},
            "limiting_magnitude",
        ),
        ({"is_us_ssn": True}, "is_us_ssn"),
    ],
)
def test_a_sensor_with_bad_values_is_refused_naming_the_field(
    make_sensor: Callable[..., Sensor], fields: dict, field: str
) -> None:
    sensor = make_sensor("uk-spoc")
    for key, value in fields.items():
        setattr(sensor, key, value)
    with pytest.raises(ValidationError) as refused:
        sensor.full_clean()
    assert field in refused.value.message_dict


def test_default_tiers_follow_the_fit_for_purpose_rules(tiers: None) -> None:
    assert levels_fit_for(Mission.CONJUNCTION_ASSESSMENT) == [1]
    assert levels_fit_for(Mission.RPO) == [1]
    assert levels_fit_for(Mission.CATALOG_MAINTENANCE) == [1, 2]
    assert levels_fit_for(Mission.EVENT_CUEING) == [1, 2, 3]
    assert levels_fit_for(Mission.INFORMATION_SHARING) == [1, 2, 3, 4]
    level_4 = tier_for(4)
    assert level_4 is not None and not level_4.admits_observation_ingest
    for tier in TierDefinition.objects.all():
        tier.full_clean()
    strict, loose = tier_for(1), tier_for(3)
    assert strict and loose
    for measurement, limits in strict.calibration_criteria.items():
        assert limits["max_bias"] < loose.calibration_criteria[measurement]["max_bias"]


def test_level_4_can_never_admit_observation_ingest(tiers: None) -> None:
    level_4 = TierDefinition.objects.get(level=4)
    level_4.admits_observation_ingest = True
    with pytest.raises(ValidationError) as refused:
        level_4.full_clean()
    assert "admits_observation_ingest" in refused.value.message_dict


def test_a_sensors_data_is_fit_only_for_the_missions_of_its_tier(
    tiers: None, make_sensor: Callable[..., Sensor]
) -> None:
    level_2 = make_sensor("uk-spoc", integration_level=2)
    assert is_fit_for(level_2, Mission.CATALOG_MAINTENANCE)
    assert not is_fit_for(level_2, Mission.CONJUNCTION_ASSESSMENT)
    assert not is_fit_for(make_sensor("uk-spoc"), Mission.INFORMATION_SHARING)
    assert is_fit_for(make_sensor("us-spoc"), Mission.RPO)


def test_an_evaluation_lasts_three_weeks_and_shows_every_criterion_without_a_result(
    tiers: None, make_sensor: Callable[..., Sensor], admin: User
) -> None:
    sensor = make_sensor(
        "uk-spoc", measurement_types=[MeasurementType.RANGE, MeasurementType.AZIMUTH_ELEVATION]
    )
    evaluation = TierEvaluation.start(sensor, 1, admin, started_on=dt.date(2025, 5, 1))
    assert evaluation.expected_end == dt.date(2025, 5, 22)
    assert evaluation.marking == sensor.marking
    rows = evaluation_progress(evaluation)
    assert [row.key for row in rows] == [
        "range.max_bias",
        "range.max_noise",
        "azimuth_elevation.max_bias",
        "azimuth_elevation.max_noise",
        "delivery_latency",
        "format",
        "completeness",
    ]
    assert all(row.result is None and row.met is None for row in rows)
    with_results = evaluation_progress(evaluation, {"range.max_bias": 0.02, "range.max_noise": 0.2})
    assert [row.met for row in with_results[:2]] == [True, False]


def test_promotion_sets_the_sensors_level_and_is_audited(
    tiers: None, make_sensor: Callable[..., Sensor], admin: User
) -> None:
    sensor = make_sensor("uk-spoc", integration_level=3)
    evaluation = TierEvaluation.start(sensor, 2, admin)
    run = finished_calibration_run(sensor, [2, 3])
    evaluation.decide(EvaluationStatus.PROMOTED, admin, "Calibration within Level 2 limits", [run])
    sensor.refresh_from_db()
    assert sensor.integration_level == 2
    assert evaluation.decided_by == admin and evaluation.decided_at is not None
    assert [row.to_status for row in evaluation.history.all()] == ["promoted", "in_evaluation"]
    events = AuditEvent.objects.filter(model="agreements.sensor", object_id=str(sensor.pk))
    assert any(event.detail.get("integration_level") == [3, 2] for event in events)


def test_a_decline_leaves_the_level_and_a_decided_evaluation_cannot_be_decided_again(
    tiers: None, make_sensor: Callable[..., Sensor], admin: User
) -> None:
    sensor = make_sensor("uk-spoc", integration_level=3)
    evaluation = TierEvaluation.start(sensor, 1, admin)
    evaluation.decide(EvaluationStatus.DECLINED, admin, "Range bias too large")
    sensor.refresh_from_db()
    assert sensor.integration_level == 3
    with pytest.raises(Conflict):
        evaluation.decide(EvaluationStatus.PROMOTED, admin, "second thoughts")


def test_evaluation_rules(
    tiers: None, make_sensor: Callable[..., Sensor], coalition: dict[str, User]
) -> None:
    admin = coalition["agreement_admin"]
    sensor = make_sensor("uk-spoc", integration_level=2)
    with pytest.raises(NotAllowed):
        TierEvaluation.start(sensor, 1, coalition["uk_staff"])
    with pytest.raises(DomainError):
        TierEvaluation.start(sensor, 2, admin)
    with pytest.raises(DomainError):
        TierEvaluation.start(make_sensor("us-spoc"), 1, admin)
    evaluation = TierEvaluation.start(sensor, 1, admin)
    with pytest.raises(Conflict):
        TierEvaluation.start(sensor, 1, admin)
    with pytest.raises(DomainError):
        evaluation.decide(EvaluationStatus.PROMOTED, admin, "")
    with pytest.raises(NotAllowed):
        evaluation.decide(EvaluationStatus.PROMOTED, coalition["us_operator"], "ok")
