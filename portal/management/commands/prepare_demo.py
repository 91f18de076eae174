"""`prepare_demo`: what `make run` does before it serves, in one process.

Migrates, brings the demo data up to date (`seed_demo`) and prints the demo users' one-time
passwords (`demo_otp`). Each `manage.py` command pays Django's start-up, about a second of CPU:
run as three commands, a second `make run`, with nothing to migrate or seed, spent most of its
wait before the first page starting Python three times.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, seed the demo data and print the demo one-time passwords, in one process."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=verbosity, stdout=self.stdout)
        call_command("seed_demo", verbosity=verbosity, stdout=self.stdout)
        call_command("demo_otp", verbosity=verbosity, stdout=self.stdout)
