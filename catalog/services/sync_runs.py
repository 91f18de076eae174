"""Sync-run bookkeeping: what an element-set import reports, and how a run records it.

Every import runs under a `SyncRun` (a file, a pulled source, an API submission, a seed):
`start_sync_run` opens it with the import's marking, `finish_sync_run` stores its counts, its
first errors and how it ended. `ImportResult` is the count an import hands back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from catalog.formats.elements import RecordError
from catalog.models import SyncRun
from catalog.models.sync import SyncRunStatus, SyncSource
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models import SpOC

MAX_REPORTED_ERRORS = 100


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    objects_added: int = 0
    objects_updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    run: SyncRun | None = None

    def reject(self, error: RecordError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(
                {"record": error.record, "line": error.line, "field": error.field, "message": error.message}
            )

    def reject_file(self, name: str, message: str) -> None:
        """A whole file that could not be read; reported like a record, counted as none."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"record": None, "line": None, "field": None, "message": f"{name}: {message}"})

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "objects_added": self.objects_added,
            "objects_updated": self.objects_updated,
        }

    def merge(self, other: ImportResult) -> None:
        for key, value in other.counts().items():
            setattr(self, key, getattr(self, key) + value)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        self.errors.extend(other.errors[: max(room, 0)])


def start_sync_run(
    *,
    marking: Marking | str,
    source: SyncSource | None = None,
    label: str = "",
    task_run: Any = None,
    spoc: SpOC | None = None,
) -> SyncRun:
    return SyncRun.objects.create(
        source=source, label=label[:200], task_run=task_run, spoc=spoc, **marking_columns(marking)
    )


def finish_sync_run(
    run: SyncRun, result: ImportResult, *, files: int = 0, failure: str | None = None, skipped: bool = False
) -> None:
    errors = list(result.errors)
    if failure:
        errors.insert(0, {"record": None, "line": None, "field": None, "message": failure[:2000]})
    status = (
        SyncRunStatus.FAILED if failure else SyncRunStatus.SKIPPED if skipped else SyncRunStatus.SUCCEEDED
    )
    values = {
        "status": status,
        "finished": timezone.now(),
        "files": files,
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "errors": errors[:MAX_REPORTED_ERRORS],
    }
    SyncRun.objects.filter(pk=run.pk).update(**values)
    for key, value in values.items():
        setattr(run, key, value)
