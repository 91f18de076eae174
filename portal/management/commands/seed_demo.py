"""`seed_demo`: the demo coalition, built by each app's seed step (settings.SEED_DEMO_STEPS)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from portal import audit
from portal.management.base import ReportingCommand
from portal.seed import DEMO_PASSWORD, USERS


class Command(ReportingCommand):
    help = "Create (or bring up to date) a believable demo coalition. Safe to run again."

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        counts: dict[str, Any] = {}
        with audit.acting_as(audit.Actor(name="seed_demo")), transaction.atomic():
            for dotted in settings.SEED_DEMO_STEPS:
                counts.update(import_string(dotted)())
        return {"counts": counts, "password": DEMO_PASSWORD, "users": [u["username"] for u in USERS]}

    def summarize(self, report: dict[str, Any]) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items())
        return f"Demo data ready: {counts}.\nDemo logins ({report['password']}): {', '.join(report['users'])}"
