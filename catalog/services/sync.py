"""Pulling sync sources: a directory of files or a URL, on the schedule stored with each source.

`sync_source` holds the source with a conditional UPDATE (`running_since` from NULL), so two
workers never pull one source at once; files already imported (same name, size and mtime, or
same content) are skipped, and the import itself is idempotent, so a repeated run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from catalog.formats.elements import FormatError
from catalog.models import SourceKind, SyncedFile, SyncRun, SyncRunStatus, SyncSource
from catalog.services.importer import import_file
from catalog.services.sync_runs import ImportResult, finish_sync_run, start_sync_run

# A run holding a source longer than this is taken to have died with its worker. Runs started by
# a task are released much sooner: when their task run loses its lease (`release_lost_run`).
STALE_AFTER = dt.timedelta(hours=2)
URL_TIMEOUT_S = 60
ELEMENT_FILE_SUFFIXES = {".tle", ".txt", ".3le", ".json", ".xml", ".kvn", ".csv", ".omm"}


class SourceBusy(Exception):
    """Another worker is pulling this source right now."""


@dataclass
class SyncOutcome:
    run: SyncRun
    files: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)


def due_sources(now: dt.datetime | None = None) -> list[SyncSource]:
    now = now or timezone.now()
    return list(
        SyncSource.objects.filter(enabled=True).filter(Q(next_due__isnull=True) | Q(next_due__lte=now))
    )


def claim_slot(source: SyncSource, now: dt.datetime | None = None) -> str | None:
    """Move the source's next due time on by its interval; the slot name, or None if another
    scheduler claimed it first."""
    now = now or timezone.now()
    updated = SyncSource.objects.filter(pk=source.pk, next_due=source.next_due, enabled=True).update(
        next_due=now + source.interval
    )
    if updated != 1:
        return None
    slot = source.next_due or now
    return slot.strftime("%Y%m%dT%H%M%S")


def sync_source(source: SyncSource, *, task_run: Any = None) -> SyncOutcome:
    """Pull `source` once and record the run. Raises SourceBusy when another worker holds it."""
    now = timezone.now()
    taken = (
        SyncSource.objects.filter(pk=source.pk)
        .filter(Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_AFTER))
        .update(running_since=now)
    )
    if taken != 1:
        raise SourceBusy(source.name)
    run = start_sync_run(marking=source.marking, source=source, label=source.location, task_run=task_run)
    outcome = SyncOutcome(run)
    total = ImportResult()
    try:
        if source.kind == SourceKind.DIRECTORY:
            _sync_directory(source, run, total, outcome)
        else:
            _sync_url(source, run, total, outcome)
    except Exception as exc:
        finish_sync_run(run, total, files=len(outcome.files), failure=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        SyncSource.objects.filter(pk=source.pk).update(running_since=None)
    finish_sync_run(run, total, files=len(outcome.files), skipped=not outcome.files)
    return outcome


def release_lost_run(sender: Any = None, *, run: Any, reason: str, **kwargs: Any) -> None:
    """A task run lost its worker: its sync runs fail with the reason and their sources are free."""
    for lost in SyncRun.objects.filter(task_run=run, status=SyncRunStatus.RUNNING):
        finish_sync_run(lost, ImportResult(), failure=reason)
        if lost.source_id is not None:
            SyncSource.objects.filter(pk=lost.source_id).update(running_since=None)


def _sync_directory(source: SyncSource, run: SyncRun, total: ImportResult, outcome: SyncOutcome) -> None:
    directory = Path(source.location)
    if not directory.is_absolute():
        directory = Path(settings.BASE_DIR) / directory
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a directory")
    known = {f.name: f for f in SyncedFile.objects.filter(source=source)}
    for path in sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in ELEMENT_FILE_SUFFIXES
    ):
        stat = path.stat()
        seen = known.get(path.name)
        if seen is not None and seen.size == stat.st_size and seen.mtime_ns == stat.st_mtime_ns:
            outcome.skipped_files.append(path.name)
            continue
        digest = _sha256(path)
        if seen is not None and seen.sha256 == digest:
            SyncedFile.objects.filter(pk=seen.pk).update(size=stat.st_size, mtime_ns=stat.st_mtime_ns)
            outcome.skipped_files.append(path.name)
            continue
        _import_one(source, run, path, total, outcome)
        SyncedFile.objects.update_or_create(
            source=source,
            name=path.name,
            defaults={"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest, "run": run},
        )


def _sync_url(source: SyncSource, run: SyncRun, total: ImportResult, outcome: SyncOutcome) -> None:
    if not source.location.startswith(("https://", "http://")):
        raise ValueError(f"{source.location!r} is not an http(s) URL")
    with tempfile.TemporaryDirectory() as workdir:
        target = Path(workdir) / (Path(source.location.split("?")[0]).name or "download")
        request = urllib.request.Request(source.location, headers={"User-Agent": "coalition-sda-portal"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_S) as response, target.open("wb") as out:  # noqa: S310
            shutil.copyfileobj(response, out)
        digest = _sha256(target)
        seen = SyncedFile.objects.filter(source=source, name=source.location[:255]).first()
        if seen is not None and seen.sha256 == digest:
            outcome.skipped_files.append(source.location)
            return
        _import_one(source, run, target, total, outcome)
        size = target.stat().st_size
        SyncedFile.objects.update_or_create(
            source=source,
            name=source.location[:255],
            defaults={"size": size, "mtime_ns": 0, "sha256": digest, "run": run},
        )


def _import_one(
    source: SyncSource, run: SyncRun, path: Path, total: ImportResult, outcome: SyncOutcome
) -> None:
    try:
        result = import_file(path, source=source, run=run)
    except FormatError as exc:
        total.reject_file(path.name, str(exc))
        return
    total.merge(result)
    outcome.files.append(path.name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
