"""`import_ephemeris`: load a CCSDS OEM as the truth of the calibration satellite it names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from catalog.calibration.truth import TruthError, import_ephemeris
from portal.management.base import ReportingCommand
from portal.markings.marking import Marking, MarkingError


class Command(ReportingCommand):
    help = "Load a CCSDS OEM (KVN or XML) as the truth of the calibration satellite it names."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path")
        parser.add_argument("--marking", help="marking of the truth (never looser than the object's)")

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        path = Path(options["path"])
        try:
            marking = Marking.parse(options["marking"]) if options.get("marking") else None
        except MarkingError as exc:
            raise CommandError(f"--marking: {exc}") from exc
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file ({exc})") from exc
        try:
            truth, created = import_ephemeris(text, path.name, marking)
        except TruthError as exc:
            raise CommandError(str(exc)) from exc
        obj = truth.space_object
        return {
            "file": str(path),
            "created": created,
            "truth": truth.pk,
            "object": {"catalog_number": obj.catalog_number, "name": obj.name},
            "start": truth.start.isoformat(),
            "stop": truth.stop.isoformat(),
            "states": truth.state_count,
            "frame": truth.frames,
            "time_system": truth.time_systems,
            "marking": truth.marking.banner,
        }

    def summarize(self, report: dict[str, Any]) -> str:
        state = "loaded" if report["created"] else "already loaded"
        obj = report["object"]
        return (
            f"{report['file']}: {state} as the truth of {obj['catalog_number']} {obj['name']}: "
            f"{report['states']} states {report['start']} to {report['stop']} in {report['frame']}"
        )
