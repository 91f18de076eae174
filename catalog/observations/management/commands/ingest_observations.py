"""Load an observation file from the server: `manage.py ingest_observations PATH [--sensor N] [--json]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from catalog.observations.services.ingest import ingest, receive
from portal.management.base import ReportingCommand
from portal.models import User


class Command(ReportingCommand):
    help = "Ingest a TDM (KVN/XML), CSV or UDL-style JSON observation file."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path")
        parser.add_argument("--sensor", type=int, help="sensor number, for files that do not name one")
        parser.add_argument("--user", help="deliver as this account (its SpOC's rules apply)")
        parser.add_argument("--marking", default="", help="marking; never looser than the agreement's")
        parser.add_argument("--format", dest="fmt", help="udl-json, csv, tdm-kvn, tdm-xml or b3")
        parser.add_argument("--tasking-request", type=int, help="id of the tasking request it answers")
        parser.add_argument("--no-associate", action="store_true", help="store without associating")

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {options['user']!r}")
        with path.open("rb") as handle:
            batch = receive(
                user,
                handle,
                filename=path.name,
                channel="command",
                sensor_number=options.get("sensor"),
                marking=options.get("marking") or "",
                fmt=options.get("fmt"),
                tasking_request=options.get("tasking_request"),
            )
        result = ingest(batch, associate=not options.get("no_associate"))
        report = result.as_dict(list_records=False)
        report["_failed"] = batch.accepted + batch.duplicates == 0
        return report

    def summarize(self, report: dict[str, Any]) -> str:
        lines = [
            f"batch {report['batch']} ({report['format'] or 'unknown format'}): {report['status']}",
            f"accepted {report['accepted']}, duplicates {report['duplicates']}, "
            f"rejected {report['rejected']}",
        ]
        if report.get("message"):
            lines.append(report["message"])
        lines += [
            f"  record {e['record']}"
            + (f" line {e['line']}" if e["line"] else "")
            + f" {e['field']}: {e['message']}"
            for e in report["errors"][:50]
        ]
        return "\n".join(lines)
