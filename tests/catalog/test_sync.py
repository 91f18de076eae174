"""Sync sources: directory pulls, recorded runs, and runs that happen once however often they
are started."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from catalog import tasks
from catalog.models import ElementSet, SyncRun, SyncRunStatus, SyncSource
from catalog.services import sync
from portal.models import TaskRun
from tests.catalog.conftest import SAMPLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(tmp_path: Path) -> SyncSource:
    shutil.copy(SAMPLES / "elements_3le.tle", tmp_path / "gp-1.tle")
    return SyncSource.objects.create(
        name="drop", kind="directory", location=str(tmp_path), interval=dt.timedelta(minutes=30)
    )


def test_a_directory_source_imports_new_files_and_skips_known_ones(
    source: SyncSource, tmp_path: Path
) -> None:
    first = sync.sync_source(source)
    assert (
        first.files == ["gp-1.tle"] and first.run.added == 3 and first.run.status == SyncRunStatus.SUCCEEDED
    )
    second = sync.sync_source(source)
    assert (
        second.files == []
        and second.skipped_files == ["gp-1.tle"]
        and second.run.status == SyncRunStatus.SKIPPED
    )
    os.utime(tmp_path / "gp-1.tle", ns=(1, 1))
    touched = sync.sync_source(source)
    assert touched.files == []  # same content under a new mtime is not read again
    shutil.copy(SAMPLES / "elements_celestrak_omm.json", tmp_path / "gp-2.json")
    (tmp_path / "notes.md").write_text("not an element file")
    third = sync.sync_source(source)
    assert third.files == ["gp-2.json"]
    assert SyncRun.objects.filter(source=source).count() == 4
    assert ElementSet.objects.count() == 3 + third.run.added


def test_an_unreadable_file_is_reported_and_the_run_goes_on(source: SyncSource, tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<foo/>")
    outcome = sync.sync_source(source)
    assert outcome.files == ["gp-1.tle"]
    assert "broken.xml" in outcome.run.errors[0]["message"]


def test_a_missing_directory_fails_the_run_visibly(source: SyncSource) -> None:
    source.location = "/nonexistent/drop"
    source.save()
    with pytest.raises(FileNotFoundError):
        sync.sync_source(source)
    run = SyncRun.objects.get()
    assert run.status == SyncRunStatus.FAILED and "not a directory" in run.errors[0]["message"]
    source.refresh_from_db()
    assert source.running_since is None


def test_a_source_held_by_another_worker_is_not_pulled_twice(source: SyncSource) -> None:
    SyncSource.objects.filter(pk=source.pk).update(running_since=timezone.now())
    with pytest.raises(sync.SourceBusy):
        sync.sync_source(source)
    assert tasks.sync_source(source.pk, "slot-a")["busy"] is True
    assert not SyncRun.objects.exists()
    SyncSource.objects.filter(pk=source.pk).update(running_since=timezone.now() - dt.timedelta(hours=3))
    assert sync.sync_source(source).run.added == 3  # a holder silent for hours is taken to be dead


def test_the_same_slot_delivered_twice_does_the_work_once(source: SyncSource) -> None:
    first = tasks.sync_source(source.pk, "20240315T120000")
    second = tasks.sync_source(source.pk, "20240315T120000")
    assert first["added"] == 3 and second["duplicate"] is True
    assert SyncRun.objects.count() == 1
    assert TaskRun.objects.filter(name="catalog.sync_source").count() == 1


def test_due_sources_are_queued_once_per_slot(
    source: SyncSource, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert tasks.sync_due_sources() == {"queued": ["drop"]}
    assert SyncRun.objects.get().added == 3
    source.refresh_from_db()
    assert source.next_due is not None
    assert source.next_due > timezone.now() + dt.timedelta(minutes=29)
    assert tasks.sync_due_sources() == {"queued": []}
    stale = SyncSource.objects.get(pk=source.pk)
    assert sync.claim_slot(stale) is not None
    assert sync.claim_slot(stale) is None  # a second scheduler holding the same view loses


def test_a_partner_drop_source_files_element_sets_under_that_partner(
    coalition: object, source: SyncSource
) -> None:
    from portal.models import SpOC

    source.spoc = SpOC.objects.get(code="uk-spoc")
    source.default_marking = "CUI//REL TO USA, GBR"
    source.save()
    sync.sync_source(source)
    assert set(ElementSet.objects.values_list("source", "source_spoc__code")) == {("partner", "uk-spoc")}
