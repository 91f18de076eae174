"""Filters take their choices and lookups from what the reader may read: a hidden sensor or
agreement is neither listed in a filter form nor answered differently from a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from agreements.models import Agreement, Sensor
from portal.models import User

TS_NOFORN = "TOP SECRET//NOFORN"


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/sensor-biases/", "sensor"),
        ("/api/tier-evaluations/", "sensor"),
        ("/api/data-plan/", "sensor"),
        ("/api/data-plan/", "agreement"),
    ],
)
def test_a_hidden_id_answers_as_a_missing_one_and_is_no_choice(
    coalition: dict[str, User],
    api_client_for: Any,
    make_sensor: Callable[..., Sensor],
    make_agreement: Callable[..., Agreement],
    url: str,
    parameter: str,
) -> None:
    sensor = make_sensor("us-spoc", marking=TS_NOFORN, name="Blackbird-like radar")
    agreement = make_agreement("uk-spoc", status="draft", marking=TS_NOFORN, title="Black arrangement")
    hidden = sensor.pk if parameter == "sensor" else agreement.pk
    api = api_client_for(coalition["uk_staff"])
    hidden_answer = api.get(url, {parameter: hidden})
    missing_answer = api.get(url, {parameter: 999_999})
    assert hidden_answer.status_code == missing_answer.status_code == 400
    assert hidden_answer.json() == {
        parameter: [m.replace("999999", str(hidden)) for m in missing_answer.json()[parameter]]
    }
    form = api.get(url, {"format": "api"}).content.decode()
    assert "Blackbird" not in form and "Black arrangement" not in form
    assert api.get(url, {parameter: "garbage"}).status_code == 400
