"""`issue_api_token USER`: an API token for a machine client, printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from rest_framework.authtoken.models import Token

from portal.management.base import ReportingCommand
from portal.models import User


class Command(ReportingCommand):
    help = "Print the API token of USERNAME (created if missing)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def run(self, *args: Any, **options: Any) -> dict[str, Any]:
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {options['username']!r}") from None
        if options["rotate"]:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        return {"username": user.username, "token": token.key, "created": created}

    def summarize(self, report: dict[str, Any]) -> str:
        return str(report["token"])
