"""The tasking app config: its signal receivers and the answers it gives the catalog."""

from __future__ import annotations

from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "tasking"

    def ready(self) -> None:
        from catalog.observations.answers import register
        from tasking import signals  # noqa: F401
        from tasking.services.answers import TaskingAnsweredRequests

        register(TaskingAnsweredRequests())
