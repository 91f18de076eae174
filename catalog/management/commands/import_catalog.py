"""`import_catalog FILE`: import an element-set file and report its counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from catalog.formats.elements import FORMATS, FormatError
from catalog.models import SyncSource
from catalog.services.importer import import_file
from portal import audit
from portal.management.base import ReportingCommand
from portal.markings.marking import Marking, MarkingError

SHOWN_REJECTIONS = 10


class Command(ReportingCommand):
    help = "Import an element-set file (TLE/3LE, OMM JSON/XML/CSV/KVN); prints what changed."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path")
        parser.add_argument(
            "--source", help="name of the sync source the file comes from (its marking applies)"
        )
        parser.add_argument("--format", choices=FORMATS, help="default: detected from the file")
        parser.add_argument("--marking", help='marking of the records, e.g. "CUI//REL TO USA, FVEY"')

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        source = None
        if options.get("source"):
            source = SyncSource.objects.filter(name=options["source"]).first()
            if source is None:
                raise CommandError(f"no sync source named {options['source']!r}")
        try:
            marking = Marking.parse(options["marking"]) if options.get("marking") else None
        except MarkingError as exc:
            raise CommandError(f"--marking: {exc}") from exc
        try:
            with audit.acting_as(audit.Actor(name="import_catalog")):
                result = import_file(
                    options["path"], marking=marking, fmt=options.get("format"), source=source
                )
        except FormatError as exc:
            raise CommandError(str(exc)) from exc
        return {
            "file": options["path"],
            "run": str(result.run.run_id) if result.run else None,
            **result.counts(),
            "first_rejected": result.errors[:SHOWN_REJECTIONS],
        }

    def summarize(self, report: dict[str, Any]) -> str:
        lines = [
            f"{report['file']}: added {report['added']}, updated {report['updated']}, "
            f"unchanged {report['unchanged']}, rejected {report['rejected']} "
            f"(objects: {report['objects_added']} new, {report['objects_updated']} updated)"
        ]
        for error in report["first_rejected"]:
            where = f"record {error['record']}" + (f" (line {error['line']})" if error["line"] else "")
            field = f", {error['field']}" if error["field"] else ""
            lines.append(f"  rejected {where}{field}: {error['message']}")
        return "\n".join(lines)
