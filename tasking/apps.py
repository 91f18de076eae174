from __future__ import annotations

from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "tasking"

    def ready(self) -> None:
        from tasking import signals  # noqa: F401
