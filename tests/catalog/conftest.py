"""The demo catalog on top of the demo coalition, and small helpers to make element sets."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from catalog.formats.elements import ElementSetRecord, write_elements
from catalog.seed import seed
from catalog.services.importer import ImportResult, Origin, import_records
from portal.models import User

SAMPLES = Path(__file__).resolve().parent.parent / "formats" / "samples"
EPOCH = dt.datetime(2024, 3, 15, 12, tzinfo=dt.UTC)


@pytest.fixture
def demo_catalog(coalition: dict[str, User]) -> dict[str, User]:
    seed()
    return coalition


def elset(
    number: int, *, hours: float = 0.0, mean_motion: float = 15.2, name: str | None = None
) -> ElementSetRecord:
    return ElementSetRecord(
        norad_cat_id=number,
        object_name=name or f"TEST OBJECT {number}",
        object_id="2020-001A",
        epoch=EPOCH + dt.timedelta(hours=hours),
        mean_motion=mean_motion,
        eccentricity=0.001,
        inclination=51.6,
        ra_of_asc_node=10.0,
        arg_of_pericenter=20.0,
        mean_anomaly=30.0,
        bstar=1e-4,
        mean_motion_dot=1e-5,
        mean_motion_ddot=0.0,
        element_set_no=999,
        rev_at_epoch=100,
        ephemeris_type=0,
        classification_type="U",
    )


def load(
    records: list[ElementSetRecord], marking: str = "UNCLASSIFIED", origin: Origin | None = None
) -> ImportResult:
    return import_records(records, marking=marking, origin=origin)


def as_text(records: list[ElementSetRecord], fmt: str) -> str:
    out = io.StringIO()
    write_elements(records, fmt, out)
    return out.getvalue()


@pytest.fixture
def rows() -> Any:
    return elset
