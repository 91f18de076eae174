"""`retask`: retask US SSN sensors for the unmet requests, printing the tasks booked and the gaps left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from catalog.astro.access import AccessError
from catalog.astro.eop import EopError
from portal import audit
from portal.management.base import ReportingCommand
from tasking.scheduler import ScheduleError
from tasking.services import retasking


class Command(ReportingCommand):
    help = "Retask US SSN sensors for the unmet requests; prints the tasks booked and the gaps left."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--at", help="start of the planning horizon, ISO 8601 UTC (default: now)")

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        at = None
        if options.get("at"):
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO 8601 time: {options['at']!r}") from exc
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
        duplicate = False
        try:
            with audit.acting_as(audit.Actor(name="retask")):
                run = retasking.run_retasking(at)
        except retasking.AlreadyPlanned as done:
            run, duplicate = done.run, True
        except (AccessError, EopError, ScheduleError) as exc:
            raise CommandError(str(exc)) from exc
        return {
            "run": run.pk,
            "duplicate": duplicate,
            "status": run.status,
            "duration_s": run.duration_s,
            "tasks": retasking.task_rows(run),
            "gaps": retasking.gap_rows(run.gaps.select_related("request")),
        }

    def summarize(self, report: dict[str, Any]) -> str:
        again = " (already done for this snapshot)" if report["duplicate"] else ""
        counts = f"{len(report['tasks'])} task(s), {len(report['gaps'])} gap(s)"
        lines = [f"retasking run {report['run']}{again}: {counts}"]
        lines += [
            f"  {t['request']}  sensor {t['sensor']}  object {t['target']}  {t['start']} - {t['end']}"
            for t in report["tasks"]
        ]
        lines += [
            f"  gap {g['request']}: {g['tracks_missing']} track(s), {g['reason']}" for g in report["gaps"]
        ]
        return "\n".join(lines)
