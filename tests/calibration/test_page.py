"""The per-sensor calibration page: queue (agreement admin), progress, verdict, charts' data."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from catalog.calibration import runs
from catalog.models import CalibrationRun, CalibrationStatus
from portal.models import User

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2015-03-02T00:00", "end": "2015-03-03T00:00", "reject_sigma": "3"}


def test_an_agreement_admin_queues_a_run_and_the_page_shows_its_result(
    calibration_setup: dict[str, Any],
    coalition: dict[str, User],
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sensor = calibration_setup["sensor"]
    client.force_login(coalition["agreement_admin"])
    url = reverse("sensor-calibration", args=[sensor.pk])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, PERIOD)
    assert answer.status_code == 302
    run = CalibrationRun.objects.get()
    assert run.status == CalibrationStatus.DONE
    page = client.get(url).content.decode()
    assert "Level 2</td><td>meets the calibration criteria" in page
    assert "finals2000A.all" in page and re.search(r"\d+ days? old", page)
    assert "vendor/chart.umd.min.js" in page and "js/calibration.js" in page
    found = re.search(r'id="calibration-samples" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    samples = json.loads(found.group(1))
    assert set(samples) == {"range", "azimuth", "elevation", "range_rate"}
    assert len(samples["range"]["before"]) == len(samples["range"]["el"]) > 100
    assert "<script>" not in page  # no inline script
    assert "Accept as corrections" in page
    client.post(reverse("calibration-accept", args=[run.pk]))
    run.refresh_from_db()
    assert run.accepted and runs.current_corrections(sensor) == run


def test_partner_staff_see_the_page_but_may_not_queue(
    calibration_setup: dict[str, Any], coalition: dict[str, User], client: Client
) -> None:
    sensor = calibration_setup["sensor"]
    client.force_login(coalition["uk_staff"])
    url = reverse("sensor-calibration", args=[sensor.pk])
    page = client.get(url).content.decode()
    assert "Queue a calibration run" not in page
    assert client.post(url, PERIOD).status_code == 403
    assert not CalibrationRun.objects.exists()


def test_a_hidden_sensor_is_a_404_like_a_missing_one(
    calibration_setup: dict[str, Any], coalition: dict[str, User], client: Client
) -> None:
    sensor = calibration_setup["sensor"]
    client.force_login(coalition["fr_staff"])
    assert client.get(reverse("sensor-calibration", args=[sensor.pk])).status_code == 404
    assert client.get(reverse("sensor-calibration", args=[999_999])).status_code == 404


def test_a_bad_period_is_a_form_error(
    calibration_setup: dict[str, Any], coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["agreement_admin"])
    url = reverse("sensor-calibration", args=[calibration_setup["sensor"].pk])
    answer = client.post(url, {**PERIOD, "end": "2015-03-01T00:00"})
    assert answer.status_code == 400
    assert "The period must end after it starts." in answer.content.decode()
