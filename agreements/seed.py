"""Demo records of this app, added by seed_demo after the core.

A US SSN network at public approximate sites and partner sensors of every partner SpOC, with
agreements of both kinds, tier definitions, evaluations in progress, outages and biases. Safe to
run again: records are found by natural keys (sensor number, agreement title).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from agreements.choices import (
    AgreementKind,
    AgreementStatus,
    DataFormat,
    EvaluationStatus,
    MeasurementType,
    SensorStatus,
    SensorType,
    Taskability,
)
from agreements.models import (
    Agreement,
    DataPlanEntry,
    Sensor,
    SensorBias,
    SensorOutage,
    TierEvaluation,
    path_from_draft,
)
from agreements.services.tiers import seed_default_tiers
from portal.markings.models import marking_columns
from portal.models import SpOC, User

PA, TR, OPT, RF = (
    SensorType.PHASED_ARRAY_RADAR,
    SensorType.TRACKING_RADAR,
    SensorType.OPTICAL_TELESCOPE,
    SensorType.PASSIVE_RF,
)
RADAR_MEASURES = [MeasurementType.RANGE, MeasurementType.AZIMUTH_ELEVATION, MeasurementType.RANGE_RATE]
OPTICAL_MEASURES = [MeasurementType.RA_DEC]
FVEY_CUI = "CUI//REL TO USA, FVEY"

# number, name, type, lat, lon, alt km, min el, az from, az to, max range km, lim mag, tracks/h, marking
US_SSN: list[tuple[Any, ...]] = [
    (399, "Eglin AN/FPS-85", PA, 30.57, -86.21, 0.03, 1.0, 120.0, 240.0, 22000.0, None, 400, "UNCLASSIFIED"),
    (393, "Cavalier PARCS", PA, 48.72, -97.90, 0.35, 2.0, 313.0, 63.0, 3300.0, None, 300, FVEY_CUI),
    (349, "Clear UEWR", PA, 64.29, -149.19, 0.17, 3.0, 250.0, 130.0, 5000.0, None, 250, FVEY_CUI),
    (344, "Pituffik UEWR", PA, 76.57, -68.30, 0.42, 3.0, 297.0, 177.0, 5000.0, None, 250, FVEY_CUI),
    (
        346,
        "Fylingdales UEWR",
        PA,
        54.36,
        -0.67,
        0.26,
        3.0,
        None,
        None,
        5000.0,
        None,
        300,
        "CUI//REL TO USA, GBR",
    ),
    (386, "Beale UEWR", PA, 39.14, -121.35, 0.12, 3.0, 306.0, 186.0, 5000.0, None, 250, FVEY_CUI),
    (388, "Cape Cod UEWR", PA, 41.75, -70.54, 0.08, 3.0, 347.0, 227.0, 5000.0, None, 250, FVEY_CUI),
    (354, "Ascension tracking radar", TR, -7.91, -14.40, 0.05, 5.0, None, None, 6000.0, None, 30, FVEY_CUI),
    (334, "ALTAIR", TR, 9.40, 167.48, 0.01, 5.0, None, None, 40000.0, None, 40, FVEY_CUI),
    (
        335,
        "TRADEX",
        TR,
        9.40,
        167.48,
        0.01,
        5.0,
        None,
        None,
        6000.0,
        None,
        20,
        "CONFIDENTIAL//REL TO USA, FVEY",
    ),
    (
        340,
        "Space Fence Kwajalein",
        PA,
        8.72,
        167.73,
        0.01,
        20.0,
        None,
        None,
        3000.0,
        None,
        1500,
        "CONFIDENTIAL//REL TO USA, FVEY",
    ),
    (369, "Cobra Dane", PA, 52.74, 174.09, 0.08, 1.0, 259.0, 19.0, 4600.0, None, 200, FVEY_CUI),
    (242, "Diego Garcia GEODSS", OPT, -7.41, 72.45, 0.01, 20.0, None, None, None, 16.5, 60, FVEY_CUI),
    (244, "Maui GEODSS", OPT, 20.71, -156.26, 3.06, 20.0, None, None, None, 16.5, 60, FVEY_CUI),
    (241, "Socorro GEODSS", OPT, 33.82, -106.66, 1.51, 20.0, None, None, None, 16.5, 60, "UNCLASSIFIED"),
    (938, "MSSS Maui", OPT, 20.71, -156.26, 3.06, 15.0, None, None, None, 19.0, 20, "SECRET//NOFORN"),
    (3691, "Millstone Hill radar", TR, 42.62, -71.49, 0.13, 5.0, None, None, 40000.0, None, 30, FVEY_CUI),
    (3692, "Haystack radar", TR, 42.62, -71.49, 0.13, 5.0, None, None, 40000.0, None, 10, "SECRET//NOFORN"),
    (3701, "Globus II", TR, 70.37, 31.13, 0.10, 3.0, None, None, 40000.0, None, 20, "SECRET//NOFORN"),
    (
        950,
        "Space Surveillance Telescope, Holt",
        OPT,
        -21.82,
        114.17,
        0.01,
        20.0,
        None,
        None,
        None,
        20.5,
        120,
        "CUI//REL TO USA, AUS",
    ),
]

# spoc, number, name, type, lat, lon, alt, min el, az from, az to, range, mag, tracks/h, level, marking,
# measurement types
PARTNER: list[tuple[Any, ...]] = [
    (
        "uk-spoc",
        9101,
        "Starbrook-like wide-field telescope",
        OPT,
        34.60,
        32.90,
        1.30,
        15.0,
        None,
        None,
        None,
        15.5,
        80,
        2,
        "CUI//REL TO USA, GBR",
        OPTICAL_MEASURES,
    ),
    (
        "uk-spoc",
        9102,
        "Chilbolton-like tracking radar",
        TR,
        51.14,
        -1.44,
        0.08,
        5.0,
        None,
        None,
        3000.0,
        None,
        15,
        None,
        "CONFIDENTIAL//REL TO USA, GBR",
        RADAR_MEASURES,
    ),
    (
        "fr-spoc",
        9201,
        "GRAVES-like bistatic radar",
        RF,
        47.35,
        5.51,
        0.30,
        15.0,
        90.0,
        270.0,
        1500.0,
        None,
        500,
        3,
        "CONFIDENTIAL//REL TO USA, FRA",
        [MeasurementType.AZIMUTH_ELEVATION, MeasurementType.RANGE_RATE],
    ),
    (
        "fr-spoc",
        9202,
        "SATAM-like tracking radar",
        TR,
        42.17,
        9.48,
        0.05,
        5.0,
        None,
        None,
        1500.0,
        None,
        12,
        None,
        "CUI//REL TO USA, FRA",
        RADAR_MEASURES,
    ),
    (
        "de-spoc",
        9301,
        "GESTRA-like phased array",
        PA,
        50.60,
        7.10,
        0.30,
        10.0,
        None,
        None,
        3000.0,
        None,
        300,
        3,
        "CUI//REL TO USA, DEU",
        RADAR_MEASURES,
    ),
    (
        "de-spoc",
        9302,
        "TIRA-like tracking radar",
        TR,
        50.62,
        7.13,
        0.33,
        5.0,
        None,
        None,
        3000.0,
        None,
        8,
        4,
        "SECRET//REL TO USA, DEU",
        RADAR_MEASURES,
    ),
    (
        "au-spoc",
        9401,
        "C-band space surveillance radar, Exmouth",
        TR,
        -21.82,
        114.17,
        0.01,
        5.0,
        None,
        None,
        6000.0,
        None,
        60,
        1,
        "SECRET//REL TO USA, AUS",
        RADAR_MEASURES,
    ),
    (
        "au-spoc",
        9402,
        "Mount Stromlo-like optical telescope",
        OPT,
        -35.32,
        149.01,
        0.77,
        20.0,
        None,
        None,
        None,
        17.0,
        40,
        2,
        "CUI//REL TO USA, AUS",
        OPTICAL_MEASURES,
    ),
    (
        "ca-spoc",
        9501,
        "Sapphire-like space-based telescope (ground station)",
        OPT,
        45.35,
        -75.90,
        0.10,
        0.0,
        None,
        None,
        None,
        15.0,
        30,
        1,
        "CUI//REL TO USA, CAN",
        OPTICAL_MEASURES,
    ),
    (
        "ca-spoc",
        9502,
        "Canadian ground-based telescope",
        OPT,
        44.23,
        -76.48,
        0.10,
        20.0,
        None,
        None,
        None,
        16.0,
        20,
        None,
        "CUI//REL TO USA, CAN",
        OPTICAL_MEASURES,
    ),
    (
        "jp-spoc",
        9601,
        "Kamisaibara-like radar",
        PA,
        35.30,
        133.90,
        0.60,
        10.0,
        90.0,
        270.0,
        1500.0,
        None,
        100,
        None,
        "CUI//REL TO USA, JPN",
        RADAR_MEASURES,
    ),
    (
        "jp-spoc",
        9602,
        "Bisei-like optical telescope",
        OPT,
        34.67,
        133.54,
        0.40,
        20.0,
        None,
        None,
        None,
        18.0,
        30,
        3,
        "CUI//REL TO USA, JPN",
        OPTICAL_MEASURES,
    ),
]

AGREEMENTS: list[dict[str, Any]] = [
    dict(
        title="UK-US SpOC-level surveillance data sharing",
        kind=AgreementKind.SPOC_LEVEL,
        partner="uk-spoc",
        status=AgreementStatus.ACTIVE,
        effective_from=dt.date(2023, 4, 1),
        expires_on=dt.date(2028, 4, 1),
        data_formats=[DataFormat.UDL_JSON, DataFormat.TDM_KVN],
        ceiling=3,
        default_releasability="CUI//REL TO USA, GBR",
        marking="CUI//REL TO USA, GBR",
        quick=dt.timedelta(hours=2),
        routine=dt.timedelta(hours=48),
        timeliness=dt.timedelta(minutes=30),
        sensors=[],
        plan={9102: (Taskability.ON_REQUEST, 5)},
        conops="UK SpOC tasks its own sensors on US request; answers within the agreed response times.",
    ),
    dict(
        title="Starbrook-like telescope sensor-level agreement",
        kind=AgreementKind.SENSOR_LEVEL,
        partner="uk-spoc",
        status=AgreementStatus.ACTIVE,
        effective_from=dt.date(2022, 1, 1),
        expires_on=dt.date(2027, 1, 1),
        data_formats=[DataFormat.TDM_KVN],
        ceiling=1,
        default_releasability="CUI//REL TO USA, GBR",
        marking="CUI//REL TO USA, GBR",
        quick=dt.timedelta(hours=1),
        routine=dt.timedelta(hours=24),
        timeliness=dt.timedelta(minutes=15),
        sensors=[9101],
        plan={9101: (Taskability.DAILY, 35)},
        conops="US tasks the telescope directly through the SSN tasking chain; deliveries in TDM KVN.",
    ),
    dict(
        title="Australian sensor-level agreement: Exmouth radar and Stromlo-like telescope",
        kind=AgreementKind.SENSOR_LEVEL,
        partner="au-spoc",
        status=AgreementStatus.ACTIVE,
        effective_from=dt.date(2021, 7, 1),
        expires_on=dt.date(2031, 7, 1),
        data_formats=[DataFormat.B3, DataFormat.UDL_JSON],
        ceiling=3,
        default_releasability="SECRET//REL TO USA, AUS",
        marking="SECRET//REL TO USA, AUS",
        quick=dt.timedelta(hours=1),
        routine=dt.timedelta(hours=24),
        timeliness=dt.timedelta(minutes=15),
        sensors=[9401, 9402],
        plan={9401: (Taskability.CONTINUOUS, 140), 9402: (Taskability.DAILY, 20)},
        conops="Radar integrated into the SSN; optical telescope tasked nightly for GEO.",
    ),
    dict(
        title="Canada-US SpOC-level agreement",
        kind=AgreementKind.SPOC_LEVEL,
        partner="ca-spoc",
        status=AgreementStatus.ACTIVE,
        effective_from=dt.date(2020, 10, 1),
        expires_on=None,
        data_formats=[DataFormat.UDL_JSON, DataFormat.B3],
        ceiling=3,
        default_releasability="CUI//REL TO USA, CAN",
        marking="CUI//REL TO USA, CAN",
        quick=dt.timedelta(hours=3),
        routine=dt.timedelta(hours=72),
        timeliness=dt.timedelta(hours=1),
        sensors=[],
        plan={9501: (Taskability.DAILY, 50), 9502: (Taskability.ON_REQUEST, 3)},
        conops="CAN SpOC schedules its space-based and ground sensors against US requests.",
    ),
    dict(
        title="France-US SpOC-level agreement",
        kind=AgreementKind.SPOC_LEVEL,
        partner="fr-spoc",
        status=AgreementStatus.ACTIVE,
        effective_from=dt.date(2024, 1, 1),
        expires_on=dt.date(2029, 1, 1),
        data_formats=[DataFormat.TDM_XML, DataFormat.CSV],
        ceiling=2,
        default_releasability="CONFIDENTIAL//REL TO USA, FRA",
        marking="CONFIDENTIAL//REL TO USA, FRA",
        quick=dt.timedelta(hours=4),
        routine=dt.timedelta(hours=72),
        timeliness=dt.timedelta(hours=2),
        sensors=[],
        plan={9201: (Taskability.CONTINUOUS, 7), 9202: (Taskability.ON_REQUEST, 2)},
        conops="French SpOC answers requests in working hours; voice coordination for quick-turn requests.",
    ),
    dict(
        title="Germany-US SpOC-level agreement",
        kind=AgreementKind.SPOC_LEVEL,
        partner="de-spoc",
        status=AgreementStatus.IN_NEGOTIATION,
        effective_from=dt.date(2026, 1, 1),
        expires_on=dt.date(2031, 1, 1),
        data_formats=[DataFormat.TDM_KVN, DataFormat.TDM_XML],
        ceiling=3,
        default_releasability="CUI//REL TO USA, DEU",
        marking="CUI//REL TO USA, DEU",
        quick=dt.timedelta(hours=4),
        routine=dt.timedelta(hours=72),
        timeliness=dt.timedelta(hours=1),
        sensors=[],
        plan={},
        conops="Draft: GESTRA-like and TIRA-like sensors tasked by the German centre on request.",
    ),
    dict(
        title="TIRA-like radar sensor-level agreement (2019)",
        kind=AgreementKind.SENSOR_LEVEL,
        partner="de-spoc",
        status=AgreementStatus.EXPIRED,
        effective_from=dt.date(2019, 3, 1),
        expires_on=dt.date(2023, 3, 1),
        data_formats=[DataFormat.CSV],
        ceiling=3,
        default_releasability="SECRET//REL TO USA, DEU",
        marking="SECRET//REL TO USA, DEU",
        quick=dt.timedelta(hours=6),
        routine=dt.timedelta(hours=96),
        timeliness=dt.timedelta(hours=6),
        sensors=[9302],
        plan={9302: (Taskability.CAMPAIGN, 1)},
        conops="Imaging campaigns on request; superseded by the SpOC-level agreement under negotiation.",
    ),
    dict(
        title="Japan-US SpOC-level agreement",
        kind=AgreementKind.SPOC_LEVEL,
        partner="jp-spoc",
        status=AgreementStatus.ACTIVE,
        effective_from=dt.date(2023, 10, 1),
        expires_on=dt.date(2028, 10, 1),
        data_formats=[DataFormat.UDL_JSON],
        ceiling=1,
        default_releasability="CUI//REL TO USA, JPN",
        marking="CUI//REL TO USA, JPN",
        quick=dt.timedelta(hours=4),
        routine=dt.timedelta(hours=48),
        timeliness=dt.timedelta(hours=1),
        sensors=[],
        plan={9601: (Taskability.ON_REQUEST, 5), 9602: (Taskability.DAILY, 14)},
        conops="JP SpOC schedules radar and optical sensors against US requests for GEO and LEO objects.",
    ),
]


def _seed_sensors(spocs: dict[str, SpOC]) -> dict[int, Sensor]:
    sensors: dict[int, Sensor] = {}
    for number, name, kind, lat, lon, alt, min_el, az0, az1, rng, mag, tph, marking in US_SSN:
        measures = OPTICAL_MEASURES if kind == OPT else RADAR_MEASURES
        sensors[number], _ = Sensor.objects.update_or_create(
            number=number,
            defaults=dict(
                spoc=spocs["us-spoc"],
                name=name,
                sensor_type=kind,
                latitude_deg=lat,
                longitude_deg=lon,
                altitude_km=alt,
                min_elevation_deg=min_el,
                azimuth_min_deg=az0,
                azimuth_max_deg=az1,
                max_range_km=rng,
                limiting_magnitude=mag,
                tracks_per_hour=tph,
                measurement_types=measures,
                is_us_ssn=True,
                integration_level=None,
                **marking_columns(marking),
            ),
        )
    for (
        spoc,
        number,
        name,
        kind,
        lat,
        lon,
        alt,
        min_el,
        az0,
        az1,
        rng,
        mag,
        tph,
        level,
        marking,
        measures,
    ) in PARTNER:
        sensors[number], _ = Sensor.objects.update_or_create(
            number=number,
            defaults=dict(
                spoc=spocs[spoc],
                name=name,
                sensor_type=kind,
                latitude_deg=lat,
                longitude_deg=lon,
                altitude_km=alt,
                min_elevation_deg=min_el,
                azimuth_min_deg=az0,
                azimuth_max_deg=az1,
                max_range_km=rng,
                limiting_magnitude=mag,
                tracks_per_hour=tph,
                measurement_types=measures,
                is_us_ssn=False,
                integration_level=level,
                **marking_columns(marking),
            ),
        )
    return sensors


def _seed_status(sensors: dict[int, Sensor], admin: User) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    Sensor.objects.filter(pk=sensors[349].pk).update(status=SensorStatus.MAINTENANCE)
    Sensor.objects.filter(pk=sensors[9201].pk).update(status=SensorStatus.DEGRADED)
    outages = [
        (349, now - dt.timedelta(days=5), None, "Array face refurbishment"),
        (354, now - dt.timedelta(days=40), now - dt.timedelta(days=37), "Transmitter failure"),
        (9101, now + dt.timedelta(days=6), now + dt.timedelta(days=8), "Mirror recoating"),
        (9201, now - dt.timedelta(days=2), None, "Northern transmitter panels down"),
        (244, now - dt.timedelta(days=90), now - dt.timedelta(days=88), "Dome drive maintenance"),
    ]
    for number, start, end, reason in outages:
        if not SensorOutage.objects.filter(sensor=sensors[number], reason=reason).exists():
            SensorOutage.objects.create(
                sensor=sensors[number], start=start, end=end, reason=reason, entered_by=admin
            )
    biases = [
        (
            9101,
            MeasurementType.RA_DEC,
            0.0008,
            0.0015,
            dt.date(2024, 11, 4),
            "UK SpOC calibration memo, Nov 2024",
        ),
        (
            9201,
            MeasurementType.AZIMUTH_ELEVATION,
            -0.03,
            0.06,
            dt.date(2024, 6, 1),
            "Bilateral calibration campaign",
        ),
        (
            9201,
            MeasurementType.RANGE_RATE,
            0.004,
            0.008,
            dt.date(2024, 6, 1),
            "Bilateral calibration campaign",
        ),
        (9401, MeasurementType.RANGE, 0.012, 0.02, dt.date(2023, 2, 10), "Integration test report"),
    ]
    for number, measurement, bias, sigma, day, source in biases:
        sensor = sensors[number]
        SensorBias.objects.update_or_create(
            sensor=sensor,
            measurement_type=measurement,
            effective_date=day,
            defaults=dict(
                bias=bias,
                noise_sigma=sigma,
                source=source,
                entered_by=admin,
                **marking_columns(sensor.marking),
            ),
        )


def _seed_agreements(spocs: dict[str, SpOC], sensors: dict[int, Sensor], admin: User) -> None:
    for spec in AGREEMENTS:
        agreement, created = Agreement.objects.update_or_create(
            title=spec["title"],
            defaults=dict(
                kind=spec["kind"],
                partner=spocs[spec["partner"]],
                effective_from=spec["effective_from"],
                expires_on=spec["expires_on"],
                data_formats=spec["data_formats"],
                classification_ceiling=spec["ceiling"],
                default_releasability=spec["default_releasability"],
                quick_turn_response=spec["quick"],
                routine_response=spec["routine"],
                delivery_timeliness=spec["timeliness"],
                conops=spec["conops"],
                **marking_columns(spec["marking"]),
            ),
        )
        agreement.sensors.set([sensors[number] for number in spec["sensors"]])
        for number, (taskability, per_week) in spec["plan"].items():
            DataPlanEntry.objects.update_or_create(
                agreement=agreement,
                sensor=sensors[number],
                defaults=dict(taskability=taskability, deliveries_per_week=per_week),
            )
        if created:
            for step in path_from_draft(spec["status"]):
                agreement.transition(step, admin, reason="Demo history")


def _seed_evaluations(sensors: dict[int, Sensor], admin: User) -> None:
    today = timezone.now().date()
    for number, level, days_ago in ((9101, 1, 10), (9601, 3, 3), (9302, 2, 18)):
        sensor = sensors[number]
        if not TierEvaluation.objects.filter(sensor=sensor, status=EvaluationStatus.IN_EVALUATION).exists():
            TierEvaluation.start(
                sensor, level, admin, started_on=today - dt.timedelta(days=days_ago), reason="Partner request"
            )


def seed() -> dict[str, int]:
    spocs = {spoc.code: spoc for spoc in SpOC.objects.all()}
    admin = User.objects.get(username="agreement_admin")
    seed_default_tiers()
    sensors = _seed_sensors(spocs)
    _seed_status(sensors, admin)
    _seed_agreements(spocs, sensors, admin)
    _seed_evaluations(sensors, admin)
    return {
        "sensors": Sensor.objects.count(),
        "agreements": Agreement.objects.count(),
        "tier_evaluations": TierEvaluation.objects.count(),
    }
