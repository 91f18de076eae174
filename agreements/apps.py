"""The agreements app config."""

from __future__ import annotations

from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"

    def ready(self) -> None:
        from agreements import signals  # noqa: F401  (connects the receivers)
