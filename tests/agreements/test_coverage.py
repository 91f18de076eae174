"""Table 1 as behaviour: which agreement covers a sensor, and what the US may do with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.choices import AgreementKind, AgreementStatus, Priority
from agreements.models import Agreement, Sensor
from agreements.services.coverage import SERVER, SSN_FORMATS, coverage_for, coverage_for_many
from tests.agreements.conftest import NOW

pytestmark = pytest.mark.django_db


def test_a_new_sensor_of_a_spoc_under_a_spoc_level_agreement_is_covered_the_moment_it_is_registered(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    agreement = make_agreement("uk-spoc", AgreementKind.SPOC_LEVEL)
    newcomer = make_sensor("uk-spoc", name="Registered after signing")
    assert newcomer.created > agreement.created
    coverage = coverage_for(newcomer, NOW, reader=SERVER)
    assert coverage is not None
    assert coverage.agreement == agreement
    assert coverage.direct_tasking is False


def test_a_sensor_level_agreement_covers_the_sensors_it_lists_and_gives_direct_tasking(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    listed = make_sensor("au-spoc")
    agreement = make_agreement("au-spoc", AgreementKind.SENSOR_LEVEL, sensors=[listed])
    coverage = coverage_for(listed, NOW, reader=SERVER)
    assert coverage is not None and coverage.agreement == agreement
    assert coverage.direct_tasking is True


def test_a_sensor_level_agreement_does_not_cover_an_unlisted_sensor(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    listed, unlisted = make_sensor("au-spoc"), make_sensor("au-spoc")
    make_agreement("au-spoc", AgreementKind.SENSOR_LEVEL, sensors=[listed])
    assert coverage_for(unlisted, NOW, reader=SERVER) is None


def test_a_spoc_level_agreement_does_not_cover_another_spocs_sensors(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    make_agreement("uk-spoc", AgreementKind.SPOC_LEVEL)
    assert coverage_for(make_sensor("fr-spoc"), NOW, reader=SERVER) is None


@pytest.mark.parametrize(
    ("status", "effective_from", "expires_on"),
    [
        (AgreementStatus.ACTIVE, dt.date(2020, 1, 1), dt.date(2025, 6, 1)),  # expired the day asked
        (AgreementStatus.ACTIVE, dt.date(2025, 6, 2), dt.date(2030, 1, 1)),  # not yet in force
        (AgreementStatus.EXPIRED, dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
        (AgreementStatus.SUSPENDED, dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
        (AgreementStatus.TERMINATED, dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
        (AgreementStatus.DRAFT, dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
        (AgreementStatus.IN_NEGOTIATION, dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
    ],
)
def test_an_agreement_not_in_force_covers_nothing(
    make_sensor: Callable[..., Sensor],
    make_agreement: Callable[..., Agreement],
    status: str,
    effective_from: dt.date,
    expires_on: dt.date,
) -> None:
    sensor = make_sensor("uk-spoc")
    make_agreement(
        "uk-spoc",
        AgreementKind.SENSOR_LEVEL,
        sensors=[sensor],
        status=status,
        effective_from=effective_from,
        expires_on=expires_on,
    )
    make_agreement(
        "uk-spoc",
        AgreementKind.SPOC_LEVEL,
        status=status,
        effective_from=effective_from,
        expires_on=expires_on,
    )
    assert coverage_for(sensor, NOW, reader=SERVER) is None


def test_an_agreement_covers_from_its_first_day_until_the_day_it_expires(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    sensor = make_sensor("uk-spoc")
    make_agreement("uk-spoc", effective_from=dt.date(2025, 6, 1), expires_on=dt.date(2025, 6, 3))
    midnight = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    assert coverage_for(sensor, midnight - dt.timedelta(seconds=1), reader=SERVER) is None
    assert coverage_for(sensor, midnight, reader=SERVER) is not None
    assert (
        coverage_for(sensor, midnight + dt.timedelta(days=2) - dt.timedelta(seconds=1), reader=SERVER)
        is not None
    )
    assert coverage_for(sensor, midnight + dt.timedelta(days=2), reader=SERVER) is None


def test_the_sensor_level_agreement_governs_a_sensor_covered_by_both_kinds(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    listed, other = make_sensor("uk-spoc"), make_sensor("uk-spoc")
    spoc_level = make_agreement("uk-spoc", AgreementKind.SPOC_LEVEL)
    sensor_level = make_agreement("uk-spoc", AgreementKind.SENSOR_LEVEL, sensors=[listed])
    covered = coverage_for_many([listed, other], NOW, reader=SERVER)
    assert covered[listed.pk].agreement == sensor_level  # type: ignore[union-attr]
    assert covered[listed.pk].direct_tasking is True  # type: ignore[union-attr]
    assert covered[other.pk].agreement == spoc_level  # type: ignore[union-attr]
    assert covered[other.pk].direct_tasking is False  # type: ignore[union-attr]


def test_a_suspended_sensor_level_agreement_falls_back_to_the_spoc_level_one(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement], admin: object
) -> None:
    sensor = make_sensor("uk-spoc")
    spoc_level = make_agreement("uk-spoc", AgreementKind.SPOC_LEVEL)
    sensor_level = make_agreement("uk-spoc", AgreementKind.SENSOR_LEVEL, sensors=[sensor])
    sensor_level.transition(AgreementStatus.SUSPENDED, admin, reason="Data quality review")
    coverage = coverage_for(sensor, NOW, reader=SERVER)
    assert coverage is not None and coverage.agreement == spoc_level and not coverage.direct_tasking


def test_us_ssn_sensors_need_no_agreement_and_are_tasked_directly(make_sensor: Callable[..., Sensor]) -> None:
    coverage = coverage_for(make_sensor("us-spoc"), NOW, reader=SERVER)
    assert coverage is not None
    assert coverage.agreement is None and coverage.is_ssn
    assert coverage.direct_tasking is True
    assert coverage.formats == SSN_FORMATS


def test_coverage_names_the_agreed_formats(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    sensor = make_sensor("fr-spoc")
    make_agreement("fr-spoc", data_formats=["tdm-xml", "csv"])
    coverage = coverage_for(sensor, NOW, reader=SERVER)
    assert coverage is not None and coverage.formats == ("tdm-xml", "csv")


@pytest.mark.parametrize(
    ("priority", "hours"),
    [
        (Priority.EMERGENCY, 2),
        (Priority.FLASH, 2),
        (Priority.IMMEDIATE, 2),
        (Priority.CATEGORY_1, 2),
        (Priority.CATEGORY_2, 2),
        (Priority.PRIORITY, 48),
        (Priority.ROUTINE, 48),
        (Priority.CATEGORY_3, 48),
        (Priority.CATEGORY_4, 48),
        (Priority.CATEGORY_5, 48),
    ],
)
def test_the_response_deadline_is_quick_turn_for_urgent_priorities_and_routine_otherwise(
    make_sensor: Callable[..., Sensor],
    make_agreement: Callable[..., Agreement],
    priority: Priority,
    hours: int,
) -> None:
    sensor = make_sensor("uk-spoc")
    make_agreement(
        "uk-spoc", quick_turn_response=dt.timedelta(hours=2), routine_response=dt.timedelta(hours=48)
    )
    coverage = coverage_for(sensor, NOW, reader=SERVER)
    assert coverage is not None
    assert coverage.response_deadline(priority, NOW) == NOW + dt.timedelta(hours=hours)
    assert coverage.response_deadline(priority.value, NOW) == NOW + dt.timedelta(hours=hours)


def test_coverage_of_many_sensors_takes_two_queries_whatever_their_number(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    sensors = [make_sensor(spoc) for spoc in ("uk-spoc", "au-spoc", "fr-spoc", "us-spoc") for _ in range(5)]
    make_agreement("uk-spoc")
    make_agreement("au-spoc", AgreementKind.SENSOR_LEVEL, sensors=sensors[5:8])
    with CaptureQueriesContext(connection) as queries:
        covered = coverage_for_many(sensors, NOW, reader=SERVER)
    assert len(queries) == 2
    assert sum(1 for c in covered.values() if c is not None) == 5 + 3 + 5


def test_coverage_asks_for_an_aware_moment(make_sensor: Callable[..., Sensor]) -> None:
    with pytest.raises(ValueError, match="aware"):
        coverage_for(make_sensor("uk-spoc"), dt.datetime(2025, 1, 1), reader=SERVER)
