"""`import_eop`: import an IERS finals file (UT1-UTC and polar motion)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from catalog.services.earth_orientation import EopImportError, active_table, import_finals
from portal.management.base import ReportingCommand


class Command(ReportingCommand):
    help = "Import an IERS finals file (UT1-UTC and polar motion); the freshest table becomes active."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path")

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        path = Path(options["path"])
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file ({exc})") from exc
        try:
            record, created = import_finals(text, path.name)
        except EopImportError as exc:
            raise CommandError(str(exc)) from exc
        active = active_table()
        return {
            "file": str(path),
            "created": created,
            "first_day": record.first_day.isoformat(),
            "last_day": record.last_day.isoformat(),
            "last_measured_day": record.last_measured_day.isoformat() if record.last_measured_day else None,
            "rows": record.rows,
            "active": active.name,
            "active_is_this_file": active.record_id == record.pk,
        }

    def summarize(self, report: dict[str, Any]) -> str:
        state = "imported" if report["created"] else "already imported"
        return (
            f"{report['file']}: {state}, {report['rows']} days "
            f"{report['first_day']} to {report['last_day']}, "
            f"measured to {report['last_measured_day']}; active table: {report['active']}"
        )
