"""The core's app config: audit receivers, the periodic-task schedules, the SQL functions SQLite lacks."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal import signals  # noqa: F401  (connects the audit receivers)
        from portal.schedules import ensure_periodic_tasks

        post_migrate.connect(ensure_periodic_tasks, sender=self)
        connection_created.connect(add_sqlite_functions)
        register_tasks()


def register_tasks() -> None:
    """Import every app's `tasks` module now. Celery's discovery waits for a worker to start, but
    web processes queue tasks by name (and run them in-process on the embedded default), so they
    must know every task as well."""
    from portal.celery import app

    app.autodiscover_tasks(force=True)


class PortalAdminConfig(admin_apps.AdminConfig):
    """The admin site, for superusers, signed in with a one-time password."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"


class _BitAnd:
    def __init__(self) -> None:
        self.value: int | None = None

    def step(self, value: int | None) -> None:
        if value is not None:
            self.value = value if self.value is None else self.value & value

    def finalize(self) -> int | None:
        return self.value


def add_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite lacks BIT_AND, which aggregate markings use on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("BIT_AND", 1, _BitAnd)
