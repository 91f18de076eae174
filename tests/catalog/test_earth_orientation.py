"""Importing IERS finals files: the freshest of imported and packaged tables is the active one."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import astropy_iers_data
import pytest
from django.core.management import call_command

from catalog.astro.eop import packaged_table
from catalog.models import EarthOrientationTable
from catalog.services.earth_orientation import EopImportError, active_table, import_finals

pytestmark = pytest.mark.django_db
PACKAGED_TEXT = Path(astropy_iers_data.IERS_A_FILE).read_text()


def fresher_text(extra_days: int = 30) -> str:
    """The packaged file with the next `extra_days` predicted days relabelled measured, as a
    later Bulletin A would publish them."""
    last = packaged_table().last_measured_day
    assert last is not None
    lines = PACKAGED_TEXT.splitlines()
    out, promoted = [], 0
    for line in lines:
        if len(line) > 68 and line[57] == "P" and promoted < extra_days and line[58:68].strip():
            line = line[:57] + "I" + line[58:]
            promoted += 1
        out.append(line)
    return "\n".join(out) + "\n"


def run(path: Path) -> dict[str, Any]:
    out = io.StringIO()
    call_command("import_eop", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_without_imports_the_packaged_table_is_active() -> None:
    active = active_table()
    assert active.origin == "packaged"
    assert active.last_measured_day == packaged_table().last_measured_day


def test_a_fresher_file_becomes_active_and_a_second_import_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "finals2000A.daily"
    path.write_text(fresher_text())
    report = run(path)
    assert report["ok"] and report["created"] and report["active_is_this_file"]
    active = active_table()
    assert active.origin == "imported" and active.name == "finals2000A.daily"
    packaged_day = packaged_table().last_measured_day
    assert active.last_measured_day is not None and packaged_day is not None
    assert active.last_measured_day > packaged_day
    again = run(path)
    assert again["created"] is False
    assert EarthOrientationTable.objects.count() == 1


def test_an_older_file_does_not_displace_the_packaged_table(tmp_path: Path) -> None:
    path = tmp_path / "old_finals.all"
    path.write_text("\n".join(PACKAGED_TEXT.splitlines()[:3000]) + "\n")  # 1973 to about 1981
    report = run(path)
    assert report["ok"] and not report["active_is_this_file"]
    assert active_table().origin == "packaged"


def test_a_bad_file_is_refused_naming_the_line_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    good = PACKAGED_TEXT.splitlines()[:5]
    path.write_text("\n".join([*good[:2], good[2][:20] + "x" * 60, *good[3:]]) + "\n")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_eop", str(path), "--json", stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["ok"] is False and "line 3" in answer["error"]
    assert not EarthOrientationTable.objects.exists()
    with pytest.raises(EopImportError):
        import_finals("nonsense", "x")


def test_the_active_table_interpolates_the_imported_values(tmp_path: Path) -> None:
    import numpy as np

    import_finals(fresher_text(), "fresh")
    active = active_table()
    day = active.last_measured_day
    assert day is not None
    when = np.array([f"{day.isoformat()}T00:00:00"], dtype="datetime64[us]")
    assert active.table.ut1_minus_utc(when)[0] == pytest.approx(
        packaged_table().ut1_minus_utc(when)[0], abs=1e-9
    )
