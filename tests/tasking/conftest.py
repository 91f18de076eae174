"""A small coalition to task: agreements of both kinds, partner sensors, the ISS with an element set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from agreements.choices import AgreementKind, AgreementStatus, DataFormat, SensorType
from agreements.models import Agreement, Sensor
from catalog.models import SpaceObject
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models import SpOC, User
from tasking.choices import Purpose
from tasking.models import TaskingRequest
from tasking.services.filing import Filing, file_request
from tests.factories import AgreementFactory, ElementSetFactory, SensorFactory, SpaceObjectFactory


@dataclass
class World:
    users: dict[str, User]
    spocs: dict[str, SpOC]
    sensors: dict[str, Sensor]
    agreements: dict[str, Agreement]
    iss: SpaceObject
    hubble: SpaceObject
    now: dt.datetime

    def filing(self, **overrides: Any) -> Filing:
        values: dict[str, Any] = dict(
            title="Track ISS after reboost",
            targets=[self.iss],
            windows=[(self.now + dt.timedelta(hours=6), self.now + dt.timedelta(hours=30))],
            priority="routine",
            purpose=Purpose.HUMAN_SPACEFLIGHT,
            marking=Marking.parse("CUI//REL TO USA, GBR"),
            spoc=self.spocs["uk-spoc"],
            observations_wanted=4,
            tracks_wanted=1,
        )
        values.update(overrides)
        return Filing(**values)

    def mark_agreement(self, key: str, marking: str) -> None:
        """Re-mark an agreement, so that requests marked as loosely may be filed under it."""
        Agreement.objects.filter(pk=self.agreements[key].pk).update(**marking_columns(marking))
        self.agreements[key].refresh_from_db()

    def file(self, **overrides: Any) -> TaskingRequest:
        return file_request(self.filing(**overrides), self.users["us_operator"]).request


def make_sensor(
    spoc: SpOC, number: int, name: str, kind: str, lat: float, lon: float, level: int | None, marking: str
) -> Sensor:
    radar = kind in (SensorType.TRACKING_RADAR, SensorType.PHASED_ARRAY_RADAR)
    return SensorFactory.create(
        spoc=spoc,
        number=number,
        name=name,
        sensor_type=kind,
        latitude_deg=lat,
        longitude_deg=lon,
        measurement_types=["range", "azimuth_elevation"] if radar else ["ra_dec"],
        min_elevation_deg=5.0,
        max_range_km=4000.0 if radar else None,
        limiting_magnitude=None if radar else 16.0,
        integration_level=level,
        is_us_ssn=False,
        marking=marking,
    )


def make_agreement(
    title: str, kind: str, spoc: SpOC, admin: User, marking: str, sensors: tuple[Sensor, ...] = ()
) -> Agreement:
    return AgreementFactory.create(
        title=title,
        kind=kind,
        partner=spoc,
        effective_from=dt.date(2020, 1, 1),
        data_formats=[DataFormat.UDL_JSON, DataFormat.TDM_KVN],
        classification_ceiling=3,
        default_releasability=marking,
        quick_turn_response=dt.timedelta(hours=2),
        routine_response=dt.timedelta(hours=48),
        delivery_timeliness=dt.timedelta(minutes=30),
        marking=marking,
        sensors=sensors,
        status=AgreementStatus.ACTIVE,
        status__by=admin,
    )


def make_object(number: int, name: str, marking: str = "UNCLASSIFIED", **elements: float) -> SpaceObject:
    """A space object with an upstream element set of three hours ago (the ISS's orbit unless
    `elements` say otherwise)."""
    obj = SpaceObjectFactory.create(catalog_number=number, name=name, marking=marking)
    ElementSetFactory.create(space_object=obj, content_hash=f"h{number}", marking=marking, **elements)
    return obj


@pytest.fixture
def world(coalition: dict[str, User]) -> World:
    spocs = {s.code: s for s in SpOC.objects.all()}
    admin = coalition["agreement_admin"]
    sensors = {
        "uk_radar": make_sensor(
            spocs["uk-spoc"],
            9102,
            "Chilbolton-like radar",
            SensorType.TRACKING_RADAR,
            51.14,
            -1.44,
            2,
            "CUI//REL TO USA, GBR",
        ),
        "uk_optical": make_sensor(
            spocs["uk-spoc"],
            9103,
            "UK telescope",
            SensorType.OPTICAL_TELESCOPE,
            34.6,
            32.9,
            3,
            "CUI//REL TO USA, GBR",
        ),
        "au_radar": make_sensor(
            spocs["au-spoc"],
            9401,
            "Exmouth-like radar",
            SensorType.TRACKING_RADAR,
            -21.8,
            114.2,
            1,
            "CUI//REL TO USA, AUS",
        ),
        "fr_radar": make_sensor(
            spocs["fr-spoc"],
            9202,
            "SATAM-like radar",
            SensorType.TRACKING_RADAR,
            42.17,
            9.48,
            2,
            "CUI//REL TO USA, FRA",
        ),
    }
    agreements = {
        "uk": make_agreement(
            "UK SpOC-level", AgreementKind.SPOC_LEVEL, spocs["uk-spoc"], admin, "CUI//REL TO USA, GBR"
        ),
        "au": make_agreement(
            "AU SpOC-level", AgreementKind.SPOC_LEVEL, spocs["au-spoc"], admin, "CUI//REL TO USA, AUS"
        ),
        "fr": make_agreement(
            "FR radar sensor-level",
            AgreementKind.SENSOR_LEVEL,
            spocs["fr-spoc"],
            admin,
            "CUI//REL TO USA, FRA",
            (sensors["fr_radar"],),
        ),
    }
    iss = make_object(25544, "ISS (ZARYA)")
    hubble = make_object(20580, "HST", inclination=28.47, mean_motion=15.09)
    users = {u.username: User.objects.get(pk=u.pk) for u in coalition.values()}
    return World(users, spocs, sensors, agreements, iss, hubble, timezone.now())
