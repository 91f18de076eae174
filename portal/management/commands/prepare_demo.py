"""`prepare_demo`: what `make run` does before it serves, in one process.

Migrates, brings the demo data up to date (`seed_demo`) and gives the demo users' one-time
passwords (`demo_otp`). Each `manage.py` command pays Django's start-up, about a second of CPU:
run as three commands, a second `make run`, with nothing to migrate or seed, spent most of its
wait before the first page starting Python three times.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command

from portal.management.base import ReportingCommand
from portal.management.commands import demo_otp, seed_demo


class Command(ReportingCommand):
    help = "Migrate, seed the demo data and print the demo one-time passwords, in one process."

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        # Migrate's own lines are for people; the JSON report is one object.
        quiet = bool(options.get("json"))
        call_command(
            "migrate",
            interactive=False,
            verbosity=0 if quiet else options["verbosity"],
            stdout=io.StringIO() if quiet else self.stdout,
        )
        return {"seed": seed_demo.Command().run(), "otp": demo_otp.Command().run()}

    def summarize(self, report: dict[str, Any]) -> str:
        return "\n".join(
            [seed_demo.Command().summarize(report["seed"]), demo_otp.Command().summarize(report["otp"])]
        )
