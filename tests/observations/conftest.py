"""A small coalition for observation tests: tiers, sensors, agreements and a generated catalog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from agreements.choices import AgreementKind, AgreementStatus, MeasurementType, SensorType
from agreements.models import Agreement, Sensor, SensorBias
from agreements.services.tiers import seed_default_tiers
from catalog.observations.services.synthetic import Site
from portal.models import SpOC, User
from tests.factories import AgreementFactory, SensorBiasFactory, SensorFactory, UserFactory

RADAR = [MeasurementType.RANGE, MeasurementType.AZIMUTH_ELEVATION, MeasurementType.RANGE_RATE]
OPTICAL = [MeasurementType.RA_DEC]
ALL_FORMATS = ["udl-json", "csv", "tdm-kvn", "tdm-xml"]
UK_DEFAULT = "CUI//REL TO USA, GBR"


@dataclass
class World:
    users: dict[str, User]
    sensors: dict[str, Sensor]
    agreements: dict[str, Agreement]

    def site(self, key: str) -> Site:
        s = self.sensors[key]
        return Site(
            s.name,
            s.number,
            s.latitude_deg,
            s.longitude_deg,
            s.altitude_km,
            s.sensor_type != SensorType.OPTICAL_TELESCOPE,
            s.max_range_km or 50000.0,
            s.min_elevation_deg,
        )


def _sensor(
    spoc: SpOC,
    number: int,
    name: str,
    kind: str,
    lat: float,
    lon: float,
    *,
    level: int | None,
    marking: str,
    measures: Sequence[str],
    ssn: bool = False,
    min_el: float = 3.0,
    max_range: float | None = 6000.0,
    az: tuple[float, float] | None = None,
) -> Sensor:
    sensor = SensorFactory.build(
        spoc=spoc,
        number=number,
        name=name,
        sensor_type=kind,
        latitude_deg=lat,
        longitude_deg=lon,
        measurement_types=list(measures),
        min_elevation_deg=min_el,
        max_range_km=max_range,
        limiting_magnitude=16.0 if kind == SensorType.OPTICAL_TELESCOPE else None,
        integration_level=level,
        is_us_ssn=ssn,
        azimuth_min_deg=az[0] if az else None,
        azimuth_max_deg=az[1] if az else None,
        marking=marking,
    )
    # The world's sensors are what an agreement admin could register: the form's checks pass.
    sensor.full_clean()
    sensor.save()
    return sensor


def _agreement(
    spoc: SpOC,
    kind: str,
    formats: list[str],
    releasability: str,
    *,
    sensors: Sequence[Sensor] = (),
    status: str = AgreementStatus.ACTIVE,
) -> Agreement:
    return AgreementFactory.create(
        title=f"{spoc.code} {kind}",
        kind=kind,
        partner=spoc,
        data_formats=formats,
        default_releasability=releasability,
        marking=releasability,
        effective_from=dt.date(2020, 1, 1),
        expires_on=None,
        sensors=sensors,
        status=status,
    )


@pytest.fixture
def world(coalition: dict[str, User]) -> World:
    seed_default_tiers()
    spocs = {s.code: s for s in SpOC.objects.all()}
    uk, de, us, jp = spocs["uk-spoc"], spocs["de-spoc"], spocs["us-spoc"], spocs["jp-spoc"]
    sensors = {
        "uk_radar": _sensor(
            uk,
            9102,
            "UK tracking radar",
            SensorType.TRACKING_RADAR,
            54.36,
            -0.67,
            level=1,
            marking=UK_DEFAULT,
            measures=RADAR,
            max_range=40000.0,
        ),
        "uk_optical": _sensor(
            uk,
            9101,
            "UK telescope",
            SensorType.OPTICAL_TELESCOPE,
            34.60,
            32.90,
            level=2,
            marking=UK_DEFAULT,
            measures=OPTICAL,
            min_el=15.0,
            max_range=None,
        ),
        "uk_level4": _sensor(
            uk,
            9103,
            "UK level-4 radar",
            SensorType.TRACKING_RADAR,
            51.1,
            -1.4,
            level=4,
            marking=UK_DEFAULT,
            measures=RADAR,
        ),
        "de_radar": _sensor(
            de,
            9301,
            "German phased array",
            SensorType.PHASED_ARRAY_RADAR,
            50.6,
            7.1,
            level=1,
            marking="CUI//REL TO USA, DEU",
            measures=RADAR,
        ),
        "jp_radar": _sensor(
            jp,
            9601,
            "Japanese radar",
            SensorType.PHASED_ARRAY_RADAR,
            35.3,
            133.9,
            level=1,
            marking="CUI//REL TO USA, JPN",
            measures=RADAR,
        ),
        "us_radar": _sensor(
            us,
            399,
            "Eglin",
            SensorType.PHASED_ARRAY_RADAR,
            30.57,
            -86.21,
            level=None,
            marking="UNCLASSIFIED",
            measures=RADAR,
            ssn=True,
            max_range=22000.0,
        ),
    }
    agreements = {
        "uk": _agreement(uk, AgreementKind.SPOC_LEVEL, ALL_FORMATS, UK_DEFAULT),
        "de": _agreement(de, AgreementKind.SPOC_LEVEL, ["udl-json"], "CUI//REL TO USA, DEU"),
        # Japan's agreement is still being negotiated: its sensors are not covered.
        "jp": _agreement(
            jp,
            AgreementKind.SPOC_LEVEL,
            ALL_FORMATS,
            "CUI//REL TO USA, JPN",
            status=AgreementStatus.IN_NEGOTIATION,
        ),
    }
    users = dict(coalition)
    users["de_staff"] = UserFactory.create(username="de_staff", partner_staff=True, spoc=de)
    users["jp_staff"] = UserFactory.create(username="jp_staff", partner_staff=True, spoc=jp)
    return World(users, sensors, agreements)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add_bias(sensor: Sensor, kind: str, value: float) -> SensorBias:
    return SensorBiasFactory.create(sensor=sensor, measurement_type=kind, bias=value, marking=sensor.marking)
