"""The periodic jobs are in the database after migrate, as the settings list them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from portal.schedules import ensure_periodic_tasks


@pytest.mark.django_db
def test_periodic_jobs_are_in_the_database_after_migrate() -> None:
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.PERIODIC_TASKS) <= names


@pytest.mark.django_db
def test_an_admins_change_to_an_interval_is_kept() -> None:
    job = PeriodicTask.objects.get(name="worker heartbeat")
    job.enabled = False
    job.save()
    ensure_periodic_tasks()
    assert PeriodicTask.objects.filter(name="worker heartbeat").count() == 1
    assert not PeriodicTask.objects.get(name="worker heartbeat").enabled
