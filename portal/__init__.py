"""The project package: settings, URL wiring, the Celery app and the core shared by every app."""

from __future__ import annotations

from portal.celery import app as celery_app

__all__ = ["celery_app"]
