"""`issue_api_token USER`: an API token for a machine client, printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from portal import api_tokens
from portal.management.base import ReportingCommand
from portal.models import User


class Command(ReportingCommand):
    help = "Issue an API token for USERNAME, bound to the user's SpOC, and print its key (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, default=api_tokens.DEFAULT_DAYS, help="days until the token expires"
        )
        parser.add_argument("--name", default="issued by command", help="what the token is for")
        parser.add_argument("--rotate", action="store_true", help="revoke the user's other tokens")

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {options['username']!r}") from None
        revoked = api_tokens.revoke_all(user) if options["rotate"] else 0
        try:
            token, key = api_tokens.issue(user, name=options["name"], days=options["days"])
        except api_tokens.TokenRefused as exc:
            raise CommandError(str(exc)) from None
        return {
            "username": user.username,
            "spoc": token.spoc.code,
            "token": key,
            "expires": token.expires_at.isoformat(),
            "revoked": revoked,
        }

    def summarize(self, report: dict[str, Any]) -> str:
        return str(report["token"])
