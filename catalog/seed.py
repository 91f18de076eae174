"""Demo records of the catalog, added by seed_demo after the core. Safe to run again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from catalog.formats.elements import ElementSetRecord, write_elements
from catalog.models import (
    ElementSet,
    MappingStatus,
    PartnerObjectMapping,
    SourceKind,
    SpaceObject,
    SyncRun,
    SyncRunStatus,
    SyncSource,
)
from catalog.services.importer import Origin, submit_element_sets
from catalog.services.mappings import submit_mapping
from catalog.services.synthetic import REFERENCE_EPOCH, demo_day, redated, synthetic_catalog
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models import SpOC

SYNTHETIC_OBJECTS = 300
SYNTHETIC_FIRST_NUMBER = 70_001
SYNC_DIRECTORY = Path("var") / "sync" / "celestrak"


def _record(number: int, name: str, designator: str | None, **values: object) -> ElementSetRecord:
    defaults: dict[str, object] = {
        "epoch": REFERENCE_EPOCH - dt.timedelta(hours=6),
        "bstar": 0.0,
        "mean_motion_dot": 0.0,
        "mean_motion_ddot": 0.0,
        "element_set_no": 999,
        "rev_at_epoch": 1000,
        "ephemeris_type": 0,
        "classification_type": "U",
    }
    return ElementSetRecord(
        norad_cat_id=number,
        object_name=name,
        object_id=designator,
        **{**defaults, **values},  # type: ignore[arg-type]
    )


WELL_KNOWN = [
    _record(
        25544,
        "ISS (ZARYA)",
        "1998-067A",
        mean_motion=15.49815395,
        eccentricity=0.0006703,
        inclination=51.6416,
        ra_of_asc_node=247.4627,
        arg_of_pericenter=130.536,
        mean_anomaly=325.0288,
        bstar=0.0003027,
        mean_motion_dot=0.00016717,
        rev_at_epoch=44120,
        object_type="PAYLOAD",
        country_code="ISS",
        launch_date=dt.date(1998, 11, 20),
        site="TYMSC",
        rcs_size="LARGE",
    ),
    _record(
        20580,
        "HST",
        "1990-037B",
        mean_motion=15.27531476,
        eccentricity=0.0002455,
        inclination=28.4699,
        ra_of_asc_node=120.3154,
        arg_of_pericenter=80.1762,
        mean_anomaly=279.9451,
        bstar=0.0000519,
        mean_motion_dot=0.0000123,
        rev_at_epoch=67510,
        object_type="PAYLOAD",
        country_code="US",
        launch_date=dt.date(1990, 4, 24),
        site="AFETR",
        rcs_size="LARGE",
    ),
    _record(
        24876,
        "GPS BIIR-2  (PRN 13)",
        "1997-035A",
        mean_motion=2.00562213,
        eccentricity=0.0051846,
        inclination=55.5371,
        ra_of_asc_node=178.2511,
        arg_of_pericenter=52.1407,
        mean_anomaly=308.3572,
        rev_at_epoch=19601,
        object_type="PAYLOAD",
        country_code="US",
        launch_date=dt.date(1997, 7, 23),
        site="AFETR",
        rcs_size="LARGE",
    ),
    _record(
        26824,
        "INTELSAT 901 (IS-901)",
        "2001-024A",
        mean_motion=1.00271431,
        eccentricity=0.0002113,
        inclination=0.0213,
        ra_of_asc_node=88.9322,
        arg_of_pericenter=271.5067,
        mean_anomaly=121.0344,
        rev_at_epoch=8290,
        object_type="PAYLOAD",
        country_code="ITSO",
        launch_date=dt.date(2001, 6, 9),
        site="FRGUI",
        rcs_size="LARGE",
    ),
]
ANALYST = [
    _record(
        800_000_000 + index,
        f"ANALYST OBJECT {index}",
        None,
        mean_motion=mean_motion,
        eccentricity=0.001 * index,
        inclination=inclination,
        ra_of_asc_node=40.0 * index,
        arg_of_pericenter=10.0,
        mean_anomaly=90.0 * index,
        object_type="UNKNOWN",
    )
    for index, (mean_motion, inclination) in enumerate([(14.2, 98.1), (1.0028, 2.1), (13.1, 74.0)], 1)
]
RESTRICTED = [
    _record(
        800_000_099,
        "RESTRICTED OBJECT",
        None,
        mean_motion=1.00265,
        eccentricity=0.0003,
        inclination=0.4,
        ra_of_asc_node=75.0,
        arg_of_pericenter=200.0,
        mean_anomaly=15.0,
        object_type="PAYLOAD",
    )
]
UK_ISS_ELSET = _record(
    25544,
    "ISS (ZARYA)",
    "1998-067A",
    epoch=REFERENCE_EPOCH - dt.timedelta(hours=2),
    mean_motion=15.49817001,
    eccentricity=0.0006711,
    inclination=51.6417,
    ra_of_asc_node=247.0113,
    arg_of_pericenter=130.8,
    mean_anomaly=44.0,
    bstar=0.0003,
    mean_motion_dot=0.000167,
    rev_at_epoch=44121,
)
# (spoc, partner id, catalog number, marking): the last one contradicts the UK's first.
MAPPINGS = [
    ("uk-spoc", "UK-ISS", 25544, "UNCLASSIFIED"),
    ("uk-spoc", "UK-HST", 20580, "UNCLASSIFIED"),
    ("fr-spoc", "FR-0001", 25544, "UNCLASSIFIED"),
    ("au-spoc", "AU-GEO-17", 26824, "CUI//REL TO USA, AUS"),
    ("uk-spoc", "UK-ISS", 26824, "CUI//REL TO USA, GBR"),
]


def _seed_run(
    label: str, marking: str, records: list[ElementSetRecord], origin: Origin | None = None
) -> None:
    """Import `records` under a run of this label, reused on later seeds."""
    run, _ = SyncRun.objects.get_or_create(
        label=label, source=None, defaults={**marking_columns(marking), "status": SyncRunStatus.RUNNING}
    )
    submit_element_sets(
        lambda: records,
        marking=marking,
        run=run,
        keep_record_when_nothing_added=True,
        origin=origin,
        file_name=label,
    )


def seed() -> dict[str, int]:
    # Dated from the demo day: seeding again on the same day adds nothing, on a later day it adds
    # that day's sets (a living catalog, as the sync would give).
    # The sets' epochs fall in the hours before today 00:00 UTC, after the demo day of
    # observations (yesterday): hours old when seeded, as a live catalog's are.
    day = demo_day() + dt.timedelta(days=1)

    def dated(records: list[ElementSetRecord]) -> list[ElementSetRecord]:
        return [redated(record, day) for record in records]

    well_known = dated(WELL_KNOWN)
    _seed_run("demo seed: well-known objects", "UNCLASSIFIED", well_known)
    _seed_run(
        "demo seed: synthetic catalog",
        "UNCLASSIFIED",
        dated(list(synthetic_catalog(SYNTHETIC_OBJECTS, seed=7, first_number=SYNTHETIC_FIRST_NUMBER))),
    )
    _seed_run("demo seed: analyst objects", "CUI//REL TO USA, FVEY", dated(ANALYST))
    _seed_run("demo seed: restricted object", "SECRET//NOFORN", dated(RESTRICTED))
    spocs = {spoc.code: spoc for spoc in SpOC.objects.all()}
    if "uk-spoc" in spocs:
        _seed_run(
            "demo seed: UK SpOC element sets",
            "CUI//REL TO USA, GBR",
            dated([UK_ISS_ELSET]),
            Origin.partner(spocs["uk-spoc"]),
        )

    directory = Path(settings.BASE_DIR) / SYNC_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    sample = directory / "gp-sample.tle"
    with sample.open("w", encoding="utf-8") as out:
        write_elements(
            [*well_known, *dated(list(synthetic_catalog(20, seed=11, first_number=SYNTHETIC_FIRST_NUMBER)))],
            "tle",
            out,
        )
    SyncSource.objects.update_or_create(
        name="CelesTrak GP (directory drop)",
        defaults={
            "kind": SourceKind.DIRECTORY,
            "location": str(SYNC_DIRECTORY),
            "format": "",
            "interval": dt.timedelta(hours=2),
            "default_marking": Marking.unclassified().banner,
        },
    )

    objects = {
        obj.catalog_number: obj
        for obj in SpaceObject.objects.filter(catalog_number__in={m[2] for m in MAPPINGS})
    }
    for spoc_code, partner_id, number, marking in MAPPINGS:
        if spoc_code not in spocs or number not in objects:
            continue
        already = PartnerObjectMapping.objects.filter(
            spoc=spocs[spoc_code], partner_object_id=partner_id, space_object=objects[number]
        ).exclude(status=MappingStatus.SUPERSEDED)
        if not already.exists():
            submit_mapping(
                spoc=spocs[spoc_code],
                partner_object_id=partner_id,
                space_object=objects[number],
                marking=marking,
            )
    return {
        "space_objects": SpaceObject.objects.count(),
        "element_sets": ElementSet.objects.count(),
        "partner_mappings": PartnerObjectMapping.objects.count(),
        "sync_sources": SyncSource.objects.count(),
    }
