"""`coverage_whatif`: the SSN coverage a set of requests would get, without booking anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from agreements.choices import SensorType
from catalog.astro.access import AccessError
from catalog.astro.eop import EopError
from portal.management.base import ReportingCommand
from tasking.scheduler import ScheduleError
from tasking.services import coverage_whatif


class Command(ReportingCommand):
    help = (
        "Re-run the last period's unmet demand with a proposed sensor added to the SSN network and "
        "report the gaps it would have closed, by priority and orbit regime. Nothing is booked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--lat", type=float, required=True, help="geodetic latitude, degrees")
        parser.add_argument("--lon", type=float, required=True, help="longitude, degrees east")
        parser.add_argument("--alt", type=float, required=True, help="altitude above the ellipsoid, km")
        parser.add_argument("--type", required=True, choices=SensorType.values, help="sensor type")
        parser.add_argument("--min-elevation", type=float, default=5.0, help="degrees (default 5)")
        parser.add_argument("--tracks-per-hour", type=int, default=30, help="capacity (default 30)")
        parser.add_argument("--max-range", type=float, default=None, help="km (radars; default none)")
        parser.add_argument("--at", help="end of the period re-run, ISO 8601 UTC (default: now)")

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        now = None
        if options.get("at"):
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO 8601 time: {options['at']!r}") from exc
            if now.tzinfo is None:
                now = now.replace(tzinfo=dt.UTC)
        try:
            proposed = coverage_whatif.proposed_sensor(
                latitude_deg=options["lat"],
                longitude_deg=options["lon"],
                altitude_km=options["alt"],
                sensor_type=options["type"],
                min_elevation_deg=options["min_elevation"],
                tracks_per_hour=options["tracks_per_hour"],
                max_range_km=options["max_range"],
            )
            result = coverage_whatif.coverage_whatif(proposed, now=now)
        except (coverage_whatif.WhatIfError, AccessError, EopError, ScheduleError) as exc:
            raise CommandError(str(exc)) from exc
        return result.as_json()

    def summarize(self, report: dict[str, Any]) -> str:
        period = report["period"]
        lines = [
            f"{report['marking']}",
            f"what-if over {period['start']} - {period['end']}: {report['requests']} unmet request(s), "
            f"{report['ssn_sensors']} SSN sensor(s)",
            f"tracks missing: {report['tracks_missing']} on the network, "
            f"{report['tracks_missing_with_proposed']} with the proposed sensor "
            f"({report['tracks_closed']} closed; it would take {report['tracks_by_proposed']} track(s))",
        ]
        for title, groups in (("by priority", report["by_priority"]), ("by regime", report["by_regime"])):
            lines.append(f"  {title}:")
            lines += [
                f"    {name}: {g['tracks_missing']} -> {g['tracks_missing_with_proposed']} "
                f"({g['tracks_closed']} closed, {g['requests_with_gaps']} request(s))"
                for name, g in groups.items()
                if g["requests_with_gaps"]
            ]
        return "\n".join(lines)
