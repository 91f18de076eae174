"""Commands that do work print a short summary, or with --json exactly one JSON object."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class ReportingCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = self.run(*args, **options)
        except CommandError as exc:
            if options.get("json"):
                self.stdout.write(json.dumps({"ok": False, "error": str(exc)}))
                raise SystemExit(1) from exc
            raise
        failed = bool(report.pop("_failed", False))
        if options.get("json"):
            self.stdout.write(json.dumps({"ok": not failed, **report}, default=str))
        else:
            self.stdout.write(self.summarize(report))
        if failed:
            raise SystemExit(1)

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        raise NotImplementedError  # each command defines its work

    def summarize(self, report: dict[str, Any]) -> str:
        return "\n".join(f"{key}: {value}" for key, value in report.items())
