"""`demo_otp`: print the demo users' current one-time codes (demo keys only)."""

from __future__ import annotations

from typing import Any

from portal.management.base import ReportingCommand
from portal.models import User
from portal.second_factor import base32_key, confirmed_device, current_code, demo_key


class Command(ReportingCommand):
    help = "Print the current one-time password of each demo user who needs one (demo keys only)."

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        codes = []
        for user in User.objects.filter(is_active=True).order_by("username"):
            device = confirmed_device(user)
            # Only devices holding the published demo key: a real user's secret is never printed.
            if user.needs_second_factor and device is not None and device.key == demo_key(user.username):
                codes.append(
                    {"username": user.username, "code": current_code(device), "key": base32_key(device)}
                )
        return {"codes": codes}

    def summarize(self, report: dict[str, Any]) -> str:
        if not report["codes"]:
            return "No demo user with a demo authenticator key (run seed_demo)."
        lines = [
            f"{entry['username']:<20} {entry['code']}   (key {entry['key']})" for entry in report["codes"]
        ]
        return "\n".join(["Current one-time passwords (valid for 30 seconds, each usable once):", *lines])
