"""Runs the periodic jobs in-process on the embedded default (no broker); `make run` starts it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from portal.embedded_beat import loop, run_due


class Command(BaseCommand):
    help = "Run due periodic jobs in-process (the embedded default's beat). With a broker, use `make worker`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--every", type=float, default=15.0, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CELERY_BROKER_URL:
            self.stdout.write("A broker is configured: periodic jobs run under `celery beat` (make worker).")
            return
        if options["once"]:
            ran = run_due()
            self.stdout.write(f"ran {len(ran)} periodic job(s): {', '.join(ran) or 'none due'}")
            return
        self.stdout.write(f"running periodic jobs in-process, checking every {options['every']:g} s")
        loop(options["every"])
