"""`run_calibration`: calibrate one sensor over a period against the calibration satellites' truth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from agreements.models import Sensor
from catalog.calibration import runs
from portal.management.base import ReportingCommand


def _instant(text: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--{name}: {text!r} is not an ISO 8601 date or time") from exc
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Command(ReportingCommand):
    help = "Calibrate a sensor over a period against the calibration satellites' truth."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("sensor_number", type=int)
        parser.add_argument("--start", required=True, help="ISO 8601, UTC unless an offset is given")
        parser.add_argument("--end", required=True)
        parser.add_argument("--reject-sigma", type=float, default=3.0)

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        sensor = Sensor.objects.filter(number=options["sensor_number"]).first()
        if sensor is None:
            raise CommandError(f"sensor_number: no sensor {options['sensor_number']}")
        start, end = _instant(options["start"], "start"), _instant(options["end"], "end")
        try:
            run = runs.request_run(sensor, start, end, options["reject_sigma"])
            run = runs.execute(run.pk)
        except runs.CalibrationRefused as exc:
            raise CommandError(str(exc)) from exc
        answer = runs.report(run)
        if run.status != "done":
            answer["_failed"] = True
        return answer

    def summarize(self, report: dict[str, Any]) -> str:
        lines = [f"sensor {report['sensor']} {report['start']} to {report['end']}: {report['status']}"]
        for name, t in report["types"].items():
            bias = "not observable" if t["bias"] is None else f"{t['bias']:+.6g} ± {t['bias_sigma']:.2g}"
            lines.append(
                f"  {name}: bias {bias}, noise {t['noise']}, used {t['used']}, rejected {t['rejected']}"
            )
        tau = "not observable" if report["time_bias_s"] is None else f"{report['time_bias_s']:+.6f} s"
        lines.append(f"  time bias {tau}; qualifies for levels {report['verdict'] or 'none'}")
        return "\n".join(lines)
