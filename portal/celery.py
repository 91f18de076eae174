"""The Celery application.

With no CELERY_BROKER_URL the settings make every task run in-process (eager), so the site
works on a fresh machine; with a Redis URL real workers pick the tasks up.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
