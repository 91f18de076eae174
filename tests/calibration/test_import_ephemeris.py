"""`import_ephemeris`: an OEM becomes the truth of the object it names, which is flagged."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from catalog.astro.orientation import earth_orientation
from catalog.calibration.truth import states_of
from catalog.models import CalibrationTruth, SpaceObject
from tests.calibration import oem_writer
from tests.calibration.truth import grid, states
from tests.factories import SpaceObjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calsat(coalition: Any) -> SpaceObject:
    return SpaceObjectFactory.create(
        catalog_number=39000, name="CALSAT", seq=90_000, marking="CUI//REL TO USA, GBR"
    )


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("import_ephemeris", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_an_oem_is_loaded_as_truth_and_the_object_flagged(calsat: SpaceObject, tmp_path: Path) -> None:
    nodes = grid(60.0, 1.0)
    path = tmp_path / "calsat.oem"
    path.write_text(oem_writer.kvn("CALSAT", "39000", "EME2000", "TT", nodes, states("EME2000", nodes)))
    report = run(str(path))
    assert report["ok"] and report["created"]
    assert report["object"] == {"catalog_number": 39000, "name": "CALSAT"}
    assert report["states"] == 61 and report["frame"] == "EME2000" and report["time_system"] == "TT"
    assert report["start"].startswith("2015-03-02T15:00:00") and report["stop"].startswith(
        "2015-03-02T16:00:00"
    )
    calsat.refresh_from_db()
    assert calsat.calibration_satellite
    truth = CalibrationTruth.objects.get()
    assert truth.marking == calsat.marking
    assert run(str(path))["created"] is False
    assert CalibrationTruth.objects.count() == 1
    # The stored truth is read again and interpolates.
    queries = nodes[3:6]
    r, _v = states_of(truth).teme(queries, earth_orientation(queries))
    assert abs(r - states("TEME", queries)[:, :3]).max() < 0.004


def test_the_truth_is_never_marked_looser_than_its_object(calsat: SpaceObject, tmp_path: Path) -> None:
    nodes = grid(60.0, 0.5)
    path = tmp_path / "x.oem"
    path.write_text(oem_writer.kvn("CALSAT", "39000", "TEME", "UTC", nodes, states("TEME", nodes)))
    report = run(str(path), "--marking", "SECRET//REL TO USA, FVEY")
    assert report["marking"] == "SECRET//REL TO USA, GBR"


def test_an_unknown_object_is_refused_and_nothing_stored(calsat: SpaceObject, tmp_path: Path) -> None:
    nodes = grid(60.0, 0.5)
    path = tmp_path / "other.oem"
    path.write_text(oem_writer.kvn("OTHER", "41111", "TEME", "UTC", nodes, states("TEME", nodes)))
    report = run(str(path))
    assert report["ok"] is False and "no catalog object 41111" in report["error"]
    assert not CalibrationTruth.objects.exists()


def test_a_bad_frame_is_refused_naming_the_segment_and_keyword(calsat: SpaceObject, tmp_path: Path) -> None:
    nodes = grid(60.0, 0.5)
    path = tmp_path / "bad.oem"
    path.write_text(oem_writer.kvn("CALSAT", "39000", "MOD", "UTC", nodes, states("TEME", nodes)))
    report = run(str(path))
    assert report["ok"] is False and "segment 1: REF_FRAME MOD" in report["error"]
