"""Importing element-set files: every format, bad records, idempotence, dedup, markings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.formats.elements import ElementSetRecord, FormatError
from catalog.models import ElementSet, ElsetSource, Regime, SpaceObject, SyncRun, SyncRunStatus
from catalog.services.importer import Origin, import_file, import_records, import_stream
from portal.markings.marking import Marking
from portal.models import AuditEvent
from tests.catalog.conftest import SAMPLES, as_text, elset, load

pytestmark = pytest.mark.django_db

GOOD_SAMPLES = {
    "elements_3le.tle": 3,
    "elements_plain.tle": 3,
    "elements_celestrak_omm.json": 3,
    "elements_spacetrack_omm.json": 3,
    "elements_omm.xml": 4,
    "elements_omm_bare.xml": 1,
    "elements_omm.kvn": 4,
    "elements_omm.csv": 3,
}


@pytest.mark.parametrize(("name", "count"), sorted(GOOD_SAMPLES.items()))
def test_every_format_sample_imports_completely(name: str, count: int) -> None:
    result = import_file(SAMPLES / name, marking="UNCLASSIFIED")
    assert result.counts()["added"] == count
    assert result.rejected == 0
    assert ElementSet.objects.count() == count
    run = SyncRun.objects.get()
    assert run.status == SyncRunStatus.SUCCEEDED and run.added == count and run.label == name


def test_bad_records_are_reported_by_record_line_and_field_while_the_rest_load() -> None:
    result = import_file(SAMPLES / "elements_bad.tle", marking="UNCLASSIFIED")
    assert (result.added, result.rejected) == (2, 3)
    assert [(e["record"], e["line"], e["field"]) for e in result.errors] == [
        (2, 6, "CHECKSUM"),
        (3, 9, "MEAN_MOTION"),
        (4, 12, "NORAD_CAT_ID"),
    ]
    assert "checksum" in result.errors[0]["message"]
    assert set(SpaceObject.objects.values_list("catalog_number", flat=True)) == {25544, 270123}
    run = SyncRun.objects.get()
    assert run.rejected == 3 and run.errors[0]["field"] == "CHECKSUM"


@pytest.mark.parametrize(
    "name", ["elements_bad_omm.json", "elements_bad_omm.xml", "elements_bad_omm.kvn", "elements_bad_omm.csv"]
)
def test_bad_omm_records_are_rejected_one_by_one(name: str) -> None:
    result = import_file(SAMPLES / name, marking="UNCLASSIFIED")
    assert result.added >= 1 and result.rejected >= 3
    assert all(e["record"] and e["field"] for e in result.errors)


def test_importing_the_same_file_twice_changes_nothing() -> None:
    first = import_file(SAMPLES / "elements_spacetrack_omm.json", marking="UNCLASSIFIED")
    snapshot = list(ElementSet.objects.order_by("pk").values_list("pk", "seq", "updated"))
    objects = list(SpaceObject.objects.order_by("pk").values_list("pk", "seq", "updated"))
    again = import_file(SAMPLES / "elements_spacetrack_omm.json", marking="UNCLASSIFIED")
    assert first.added == 3
    assert again.counts() == {
        "added": 0,
        "updated": 0,
        "unchanged": 3,
        "rejected": 0,
        "objects_added": 0,
        "objects_updated": 0,
    }
    assert list(ElementSet.objects.order_by("pk").values_list("pk", "seq", "updated")) == snapshot
    assert list(SpaceObject.objects.order_by("pk").values_list("pk", "seq", "updated")) == objects


def test_the_same_set_in_another_format_is_still_the_same_set() -> None:
    from catalog.formats.elements import read_elements

    import_file(SAMPLES / "elements_3le.tle", marking="UNCLASSIFIED")
    records = [
        r for r in read_elements((SAMPLES / "elements_3le.tle").open()) if isinstance(r, ElementSetRecord)
    ]
    for fmt in ("omm-xml", "omm-kvn", "omm-csv", "omm-json"):
        again = import_stream(io.StringIO(as_text(records, fmt)), marking="UNCLASSIFIED")
        assert (fmt, again.added, again.updated, again.unchanged) == (fmt, 0, 0, 3)


def test_element_sets_are_deduplicated_by_object_epoch_and_source() -> None:
    load([elset(1), elset(1, hours=1)])
    assert load([elset(1)]).unchanged == 1
    changed = load([elset(1, mean_motion=15.3)])
    assert (changed.added, changed.updated) == (0, 1)
    computed = load([elset(1)], origin=Origin(ElsetSource.COMPUTED))
    assert computed.added == 1
    assert ElementSet.objects.filter(space_object__catalog_number=1).count() == 3
    assert set(ElementSet.objects.values_list("source_key", flat=True)) == {"upstream", "computed"}


def test_a_duplicate_inside_one_file_is_counted_once_or_rejected_when_it_differs() -> None:
    result = load([elset(5), elset(5), elset(5, mean_motion=15.1)])
    assert (result.added, result.unchanged, result.rejected) == (1, 1, 1)
    assert result.errors[0]["field"] == "EPOCH"


def test_derived_columns_and_the_current_pointer_follow_the_latest_epoch() -> None:
    load([elset(7, hours=0), elset(7, hours=5), elset(8, mean_motion=1.0027), elset(9, mean_motion=2.0056)])
    latest = ElementSet.objects.get(space_object__catalog_number=7, epoch__hour=17)
    assert SpaceObject.objects.get(catalog_number=7).current_elset_id == latest.pk
    assert latest.period_min is not None and latest.perigee_km is not None and latest.apogee_km is not None
    assert (
        latest.regime == Regime.LEO and 90 < latest.period_min < 96 and latest.perigee_km < latest.apogee_km
    )
    assert ElementSet.objects.get(space_object__catalog_number=8).regime == Regime.GEO
    assert ElementSet.objects.get(space_object__catalog_number=9).regime == Regime.MEO
    assert abs((ElementSet.objects.get(space_object__catalog_number=8).semi_major_axis_km or 0) - 42164) < 20


def test_an_element_set_for_a_restricted_object_takes_the_objects_marking() -> None:
    load([elset(99)], marking="SECRET//NOFORN")
    newer = load([elset(99, hours=3)], marking="UNCLASSIFIED")
    assert newer.added == 1
    marks = {e.marking for e in ElementSet.objects.filter(space_object__catalog_number=99)}
    assert marks == {Marking.parse("SECRET//NOFORN")}


def test_the_current_pointer_never_names_a_set_more_restricted_than_its_object() -> None:
    load([elset(42)], marking="UNCLASSIFIED")
    load([elset(42, hours=6)], marking="SECRET//NOFORN")
    obj = SpaceObject.objects.get(catalog_number=42)
    assert obj.current_elset is not None and obj.current_elset.marking == Marking.unclassified()


def test_a_record_declaring_a_classification_above_the_import_marking_is_rejected() -> None:
    from dataclasses import replace

    result = load([replace(elset(31), classification_type="S"), elset(32)], marking="CUI//REL TO USA, GBR")
    assert (result.added, result.rejected) == (1, 1)
    assert result.errors[0]["field"] == "CLASSIFICATION_TYPE"
    assert not SpaceObject.objects.filter(catalog_number=31).exists()
    assert load([replace(elset(31), classification_type="S")], marking="SECRET//NOFORN").added == 1


def test_one_audit_event_records_a_whole_import() -> None:
    before = AuditEvent.objects.filter(model="catalog.elementset").count()
    import_file(SAMPLES / "elements_celestrak_omm.json", marking="UNCLASSIFIED")
    events = AuditEvent.objects.filter(model="catalog.elementset")
    assert events.count() == before + 1
    event = events.first()
    assert event is not None and event.detail["count"] == 3


def test_an_unreadable_file_is_a_failed_run_and_nothing_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "nonsense.txt"
    bad.write_text("this is not an element set file\n")
    with pytest.raises(FormatError):
        import_file(bad, marking="UNCLASSIFIED")
    run = SyncRun.objects.get()
    assert run.status == SyncRunStatus.FAILED and "nonsense.txt" in run.errors[0]["message"]
    assert not ElementSet.objects.exists()


def test_import_catalog_prints_counts_and_the_first_rejections(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_catalog", str(SAMPLES / "elements_bad.tle"), "--marking", "CUI//REL TO USA, GBR")
    out = capsys.readouterr().out
    assert "added 2" in out and "rejected 3" in out and "CHECKSUM" in out and "line 6" in out
    assert SpaceObject.objects.get(catalog_number=25544).marking == Marking.parse("CUI//REL TO USA, GBR")
    call_command("import_catalog", str(SAMPLES / "elements_bad.tle"), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["added"] == 0 and report["rejected"] == 3


def test_import_catalog_exits_non_zero_on_a_file_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_catalog", str(tmp_path / "missing.tle"), "--json")
    assert exit_info.value.code == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


def test_large_files_go_through_in_batches() -> None:
    from catalog.services.synthetic import synthetic_catalog

    records = list(synthetic_catalog(450, seed=3))
    result = import_stream(io.StringIO(as_text(records, "omm-csv")), marking="UNCLASSIFIED", batch_size=100)
    assert result.added == 450 and SpaceObject.objects.exclude(current_elset=None).count() == 450
    seqs = list(ElementSet.objects.values_list("seq", flat=True))
    assert len(set(seqs)) == 450


def test_current_pointers_follow_newer_sets_across_batches_and_imports() -> None:
    records = [elset(n, hours=h) for h in (0, 2) for n in (11, 12, 13)]
    result = import_records(records, marking="UNCLASSIFIED", batch_size=2)
    assert (result.added, result.objects_added) == (6, 3)

    def current() -> dict[int, int]:
        return {
            number: hour
            for number, hour in SpaceObject.objects.values_list(
                "catalog_number", "current_elset__epoch__hour"
            )
        }

    assert current() == {11: 14, 12: 14, 13: 14}
    load([elset(11, hours=5), elset(12, hours=-3)])
    assert current() == {11: 17, 12: 14, 13: 14}
    for obj in SpaceObject.objects.select_related("current_elset"):
        assert obj.current_elset is not None and obj.current_elset.space_object_id == obj.pk


def test_rows_written_with_ids_taken_up_front_leave_room_for_ordinary_inserts() -> None:
    load([elset(21), elset(22)])
    obj = SpaceObject.objects.create(catalog_number=23, seq=10_000, marking=Marking.unclassified())
    assert obj.pk > max(SpaceObject.objects.exclude(pk=obj.pk).values_list("pk", flat=True))
    load([elset(23), elset(24)])
    assert SpaceObject.objects.get(catalog_number=23).pk == obj.pk
    assert SpaceObject.objects.filter(current_elset=None).count() == 0
