"""The tasking app config: its signal receivers and the answers it gives the catalog."""

from __future__ import annotations

from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "tasking"

    def ready(self) -> None:
        from catalog.observations.services.answers import register
        from portal.task_runs import run_lost
        from tasking import signals  # noqa: F401
        from tasking.services.answers import TaskingAnsweredRequests
        from tasking.services.retasking import release_lost_run

        register(TaskingAnsweredRequests())
        run_lost.connect(release_lost_run, dispatch_uid="tasking.release_lost_run")
