"""A visible agreement, evaluation or bias names no sensor its reader may not read: not in the
agreement's `sensors`, not in its data plan, not as an evaluation's sensor."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agreements.choices import AgreementKind
from agreements.models import Agreement, DataPlanEntry, Sensor, TierEvaluation
from portal.markings.models import marking_columns
from portal.models import User
from portal.testing import json_leaves

TS_NOFORN = "TOP SECRET//NOFORN"
SECRET_AUS = "SECRET//REL TO USA, AUS"
CONF_GBR = "CONFIDENTIAL//REL TO USA, GBR"


def _ids_of_sensors(node: Any) -> list[Any]:
    """Every value held under a key naming a sensor, at any depth."""
    found: list[Any] = []
    if isinstance(node, dict):
        for key, child in node.items():
            if key in ("sensor", "sensors"):
                found.extend(child if isinstance(child, list) else [child])
            found.extend(_ids_of_sensors(child))
    elif isinstance(node, list):
        for child in node:
            found.extend(_ids_of_sensors(child))
    return found


def test_an_agreement_lists_only_the_sensors_and_plan_entries_its_reader_may_read(
    coalition: dict[str, User],
    api_client_for: Any,
    make_sensor: Callable[..., Sensor],
    make_agreement: Callable[..., Agreement],
) -> None:
    shown = make_sensor("uk-spoc", marking=CONF_GBR, name="Open Fylingdales-like")
    hidden = make_sensor("uk-spoc", marking=TS_NOFORN, name="Black Fylingdales-like", number=7707)
    agreement = make_agreement(
        "uk-spoc", AgreementKind.SENSOR_LEVEL, sensors=[shown, hidden], status="draft", marking=CONF_GBR
    )
    DataPlanEntry.objects.create(agreement=agreement, sensor=shown, deliveries_per_week=3, notes="open plan")
    DataPlanEntry.objects.create(
        agreement=agreement, sensor=hidden, deliveries_per_week=77, notes="black plan"
    )
    api = api_client_for(coalition["uk_staff"])
    for url in (
        f"/api/agreements/{agreement.pk}/",
        "/api/agreements/",
        f"/api/data-plan/?agreement={agreement.pk}",
    ):
        body = api.get(url).json()
        text = json.dumps(body)
        assert "black plan" not in text and "Black Fylingdales" not in text, url
        # Compare values, not substrings: a timestamp's microseconds may hold any digits.
        values = set(json_leaves(body))
        assert 7707 not in values and 77 not in values and hidden.pk not in _ids_of_sensors(body), url
    detail = api.get(f"/api/agreements/{agreement.pk}/").json()
    assert detail["sensors"] == [shown.pk]
    assert hidden.pk not in [e["sensor"] for e in detail["data_plan"]]
    assert [e["notes"] for e in detail["data_plan"]] == ["open plan"]
    html = api.get(f"/api/agreements/{agreement.pk}/?format=api").content.decode()
    assert "black plan" not in html and "Black Fylingdales" not in html
    # Its readers who may read the hidden sensor still see it.
    full = api_client_for(coalition["security_officer"]).get(f"/api/agreements/{agreement.pk}/").json()
    assert sorted(full["sensors"]) == sorted([shown.pk, hidden.pk])
    assert len(full["data_plan"]) == 2


def test_an_evaluation_names_no_hidden_sensor(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Callable[..., Sensor], tiers: None
) -> None:
    hidden = make_sensor("au-spoc", marking=SECRET_AUS, name="Exmouth black")
    evaluation = TierEvaluation.start(hidden, 2, coalition["agreement_admin"])
    TierEvaluation.objects.filter(pk=evaluation.pk).update(**marking_columns("CUI//REL TO USA, GBR, AUS"))
    body = api_client_for(coalition["uk_staff"]).get(f"/api/tier-evaluations/{evaluation.pk}/").json()
    assert body["sensor"] is None
    listing = api_client_for(coalition["uk_staff"]).get("/api/tier-evaluations/").json()
    assert [row["sensor"] for row in listing["results"]] == [None]


def test_a_sensors_outages_are_listed_to_its_readers(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Callable[..., Sensor]
) -> None:
    import datetime as dt

    from agreements.models import SensorOutage

    sensor = make_sensor("uk-spoc", marking=CONF_GBR)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    SensorOutage.objects.create(
        sensor=sensor, start=start, end=start + dt.timedelta(hours=2), reason="rewiring"
    )
    listed = api_client_for(coalition["uk_staff"]).get(f"/api/sensors/{sensor.pk}/outages/").json()
    assert [o["reason"] for o in listed] == ["rewiring"]


def test_the_evaluation_board_names_no_hidden_sensor_in_evaluation_or_decided(
    coalition: dict[str, User], client: Any, make_sensor: Callable[..., Sensor], tiers: None
) -> None:
    from django.urls import reverse

    from agreements.choices import EvaluationStatus

    running = make_sensor("au-spoc", marking=SECRET_AUS, name="Exmouth black", number=7801)
    decided = make_sensor("au-spoc", marking=SECRET_AUS, name="Learmonth black", number=7802)
    open_marking = marking_columns("CUI//REL TO USA, GBR, AUS")
    for sensor, status in ((running, None), (decided, EvaluationStatus.DECLINED)):
        evaluation = TierEvaluation.start(sensor, 2, coalition["agreement_admin"])
        extra = {"status": status, "reason": "not ready"} if status else {}
        TierEvaluation.objects.filter(pk=evaluation.pk).update(**open_marking, **extra)
    client.force_login(coalition["uk_staff"])
    page = client.get(reverse("evaluation-board")).content.decode()
    assert page.count("(a sensor you may not see)") == 2  # both rows are there, unnamed
    for secret in ("Exmouth black", "Learmonth black", "7801", "7802", "au-spoc"):
        assert secret not in page
