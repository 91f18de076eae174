"""Sensor and agreement builders for the agreements tests, on the shared factories, and a small
explicit network for the marking matrix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from agreements.choices import AgreementKind, AgreementStatus, DataFormat
from agreements.models import Agreement, Sensor
from agreements.services.tiers import seed_default_tiers
from portal.models import SpOC, User
from tests.factories import AgreementFactory, CalibrationRunFactory, SensorFactory

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def spocs(coalition: dict[str, User]) -> dict[str, SpOC]:
    return {spoc.code: spoc for spoc in SpOC.objects.all()}


@pytest.fixture
def admin(coalition: dict[str, User]) -> User:
    return coalition["agreement_admin"]


@pytest.fixture
def make_sensor(spocs: dict[str, SpOC]) -> Callable[..., Sensor]:
    numbers = iter(range(5000, 6000))

    def make(spoc: str = "uk-spoc", marking: str | None = None, **fields: Any) -> Sensor:
        owner = spocs[spoc]
        nation = owner.nation_id
        default_marking = "CUI//REL TO USA, FVEY" if nation == "USA" else f"CUI//REL TO USA, {nation}"
        values: dict[str, Any] = dict(name=f"Sensor {spoc}", number=next(numbers), tracks_per_hour=10)
        values.update(fields)
        return SensorFactory.create(spoc=owner, marking=marking or default_marking, **values)

    return make


@pytest.fixture
def make_agreement(spocs: dict[str, SpOC], admin: User) -> Callable[..., Agreement]:
    def make(
        partner: str = "uk-spoc",
        kind: str = AgreementKind.SPOC_LEVEL,
        sensors: list[Sensor] | None = None,
        status: str = AgreementStatus.ACTIVE,
        marking: str | None = None,
        **fields: Any,
    ) -> Agreement:
        nation = spocs[partner].nation_id
        values: dict[str, Any] = dict(
            title=f"{kind} agreement with {partner} {Agreement.objects.count() + 1}",
            effective_from=dt.date(2024, 1, 1),
            expires_on=dt.date(2027, 1, 1),
            data_formats=[DataFormat.UDL_JSON],
            default_releasability=f"CUI//REL TO USA, {nation}",
            quick_turn_response=dt.timedelta(hours=2),
            routine_response=dt.timedelta(hours=48),
        )
        values.update(fields)
        return AgreementFactory.create(
            partner=spocs[partner],
            kind=kind,
            sensors=sensors,
            status=status,
            status__by=admin,
            status__reason="test",
            marking=marking or f"CUI//REL TO USA, {nation}",
            **values,
        )

    return make


@pytest.fixture
def tiers(db: Any) -> None:
    seed_default_tiers()


# The marking matrix network: name -> (spoc, marking)
NETWORK: dict[str, tuple[str, str]] = {
    "Eglin": ("us-spoc", "UNCLASSIFIED"),
    "Cavalier": ("us-spoc", "CUI//REL TO USA, FVEY"),
    "Haystack": ("us-spoc", "SECRET//NOFORN"),
    "Restricted": ("us-spoc", "TOP SECRET//NOFORN"),
    "Starbrook": ("uk-spoc", "CUI//REL TO USA, GBR"),
    "Exmouth": ("au-spoc", "SECRET//REL TO USA, AUS"),
    "GRAVES": ("fr-spoc", "CONFIDENTIAL//REL TO USA, FRA"),
    "SATAM": ("fr-spoc", "SECRET//REL TO USA, FRA"),
}
US_ALL_BUT_TS = {"Eglin", "Cavalier", "Haystack", "Starbrook", "Exmouth", "GRAVES", "SATAM"}
SEES_SENSORS: dict[str, set[str]] = {
    "visitor": {"Eglin"},
    "us_operator": US_ALL_BUT_TS,
    "agreement_admin": US_ALL_BUT_TS | {"Restricted"},
    "security_officer": US_ALL_BUT_TS | {"Restricted"},
    "uk_staff": {"Eglin", "Cavalier", "Starbrook"},
    "au_staff": {"Eglin", "Cavalier", "Exmouth"},
    # fr_staff is cleared CONFIDENTIAL: not even their own SECRET sensor.
    "fr_staff": {"Eglin", "GRAVES"},
}

AGREEMENT_NETWORK: dict[str, tuple[str, str, str]] = {
    "UK SpOC-level": ("uk-spoc", AgreementKind.SPOC_LEVEL, "CUI//REL TO USA, GBR"),
    "AU sensor-level": ("au-spoc", AgreementKind.SENSOR_LEVEL, "SECRET//REL TO USA, AUS"),
    "FR SpOC-level": ("fr-spoc", AgreementKind.SPOC_LEVEL, "CONFIDENTIAL//REL TO USA, FRA"),
    "US-only review": ("uk-spoc", AgreementKind.SPOC_LEVEL, "SECRET//NOFORN"),
}
US_SECRET = {"us_operator", "agreement_admin", "security_officer"}
SEES_AGREEMENTS: dict[str, set[str]] = {
    "visitor": set(),
    "us_operator": set(AGREEMENT_NETWORK),
    "agreement_admin": set(AGREEMENT_NETWORK),
    "security_officer": set(AGREEMENT_NETWORK),
    "uk_staff": {"UK SpOC-level"},
    "au_staff": {"AU sensor-level"},
    "fr_staff": {"FR SpOC-level"},
}


@pytest.fixture
def network(make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]) -> dict[str, Any]:
    sensors = {
        name: make_sensor(spoc, marking=marking, name=name) for name, (spoc, marking) in NETWORK.items()
    }
    agreements = {}
    for title, (partner, kind, marking) in AGREEMENT_NETWORK.items():
        listed = [sensors["Exmouth"]] if kind == AgreementKind.SENSOR_LEVEL else []
        status = AgreementStatus.DRAFT if title == "US-only review" else AgreementStatus.ACTIVE
        agreements[title] = make_agreement(
            partner, kind, sensors=listed, marking=marking, title=title, status=status
        )
    return {"sensors": sensors, "agreements": agreements}


def finished_calibration_run(sensor: Any, qualifies_for: list[int]) -> int:
    """A finished calibration run of `sensor` qualifying it for `qualifies_for` (a promotion
    cites one); the figures are not the point here."""
    return CalibrationRunFactory.create(sensor=sensor, qualifies_for=qualifies_for, marking=sensor.marking).pk
