"""Which Earth-orientation table the portal computes with, and importing a newer one.

The active table is the freshest -- the latest measured (not predicted) day -- of the imported
IERS finals files and the table packaged with ``astropy-iers-data``, so an import of a fresh
Bulletin A moves predictions off a stale forecast, and an old file never displaces a newer one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from catalog.astro.eop import EopError, EopTable, packaged_table, read_finals
from catalog.models import EarthOrientationTable

PACKAGED = "packaged"


class EopImportError(ValueError):
    """A file that is not a readable IERS finals table."""


@dataclass(frozen=True)
class ActiveTable:
    table: EopTable
    name: str
    origin: str  # "packaged" or "imported"
    last_measured_day: dt.date | None
    record_id: int | None = None

    def age_days(self, today: dt.date) -> int | None:
        """Days from the last measured value to ``today`` (how stale the table is)."""
        return None if self.last_measured_day is None else (today - self.last_measured_day).days

    @property
    def label(self) -> str:
        return f"{self.name} ({self.origin}, measured to {self.last_measured_day or 'no measured day'})"


_cache: dict[int, EopTable] = {}


def import_finals(text: str, name: str) -> tuple[EarthOrientationTable, bool]:
    """Store a finals file (read first, so a bad file stores nothing); the same file twice is
    one record. Returns the record and whether it was new."""
    try:
        table = read_finals(text, source=name)
    except EopError as exc:
        raise EopImportError(str(exc)) from exc
    digest = hashlib.sha256(text.encode()).hexdigest()
    record, created = EarthOrientationTable.objects.get_or_create(
        content_hash=digest,
        defaults={
            "name": name,
            "text": text,
            "first_day": table.first_day,
            "last_day": table.last_day,
            "last_measured_day": table.last_measured_day,
            "rows": int(table.mjd.size),
        },
    )
    return record, created


def _imported(record: EarthOrientationTable) -> EopTable:
    if record.pk not in _cache:
        _cache[record.pk] = read_finals(record.text, source=record.name)
    return _cache[record.pk]


def active_table() -> ActiveTable:
    """The freshest of the imported tables and the packaged one (packaged wins a tie)."""
    packaged = packaged_table()
    best = ActiveTable(packaged, packaged.source, PACKAGED, packaged.last_measured_day)
    newest = (
        EarthOrientationTable.objects.exclude(last_measured_day=None)
        .only("pk", "name", "last_measured_day")
        .order_by("-last_measured_day", "-imported_at")
        .first()
    )
    newest_day = newest.last_measured_day if newest is not None else None
    packaged_day = best.last_measured_day
    if newest is not None and newest_day is not None and (packaged_day is None or newest_day > packaged_day):
        record = EarthOrientationTable.objects.get(pk=newest.pk)
        return ActiveTable(_imported(record), record.name, "imported", record.last_measured_day, record.pk)
    return best
