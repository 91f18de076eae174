from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal import signals  # noqa: F401  (connects the audit receivers)
        from portal.schedules import ensure_periodic_tasks

        post_migrate.connect(ensure_periodic_tasks, sender=self)
