"""WSGI entry point (gunicorn, runserver)."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# What start-up made (modules, models, URL patterns) lives as long as the process. Frozen, it is
# left out of the collector's generations, so the full collections that land inside requests
# no longer walk it: they made the slow tail of the heavier pages (p95 about 1.3 times lower
# on uk_staff's inbox, docs/benchmarks.md).
gc.collect()
gc.freeze()
