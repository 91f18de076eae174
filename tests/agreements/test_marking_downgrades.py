"""Markings change one way: writers raise, only the security officer downgrades, with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Sensor
from portal import marking_changes
from portal.markings.marking import Marking
from portal.models import AuditEvent, User
from tests.agreements.test_edit_round_trip import submitted_values


@pytest.fixture
def british(make_sensor: Callable[..., Sensor]) -> Sensor:
    return make_sensor(spoc="uk-spoc", marking="CONFIDENTIAL//REL TO USA, GBR")


@pytest.mark.parametrize(
    "lower",
    [
        "UNCLASSIFIED",
        "CUI//REL TO USA, GBR",
        "CONFIDENTIAL//REL TO USA, FRA, GBR",
        "CONFIDENTIAL//REL TO USA, FVEY",
    ],
)
def test_partner_staff_cannot_lower_or_widen_their_sensors_marking(
    coalition: dict[str, User], api_client_for: Any, british: Sensor, lower: str
) -> None:
    answer = api_client_for(coalition["uk_staff"]).patch(
        f"/api/sensors/{british.pk}/", {"marking": lower}, format="json"
    )
    assert answer.status_code == 403
    assert "downgrade" in answer.json()["marking"][0]
    british.refresh_from_db()
    assert british.marking.banner == "CONFIDENTIAL//REL TO USA, GBR"


def test_removing_noforn_is_a_downgrade(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Callable[..., Sensor]
) -> None:
    american = make_sensor(spoc="us-spoc", marking="SECRET//NOFORN")
    answer = api_client_for(coalition["agreement_admin"]).patch(
        f"/api/sensors/{american.pk}/", {"marking": "SECRET//REL TO USA, GBR"}, format="json"
    )
    assert answer.status_code == 403
    american.refresh_from_db()
    assert american.marking.noforn


@pytest.mark.parametrize("higher", ["SECRET//REL TO USA, GBR", "CONFIDENTIAL//REL TO USA, GBR"])
def test_writers_raise_a_marking(
    coalition: dict[str, User], api_client_for: Any, british: Sensor, higher: str
) -> None:
    answer = api_client_for(coalition["uk_staff"]).patch(
        f"/api/sensors/{british.pk}/", {"marking": higher}, format="json"
    )
    assert answer.status_code == 200, answer.content
    british.refresh_from_db()
    assert british.marking == Marking.parse(higher)
    assert not AuditEvent.objects.filter(action="downgrade").exists()


def test_the_security_officer_downgrades_with_a_reason_through_the_api(
    coalition: dict[str, User], api_client_for: Any, british: Sensor
) -> None:
    api = api_client_for(coalition["security_officer"])
    url = f"/api/sensors/{british.pk}/downgrade/"
    without = api.post(url, {"marking": "UNCLASSIFIED"}, format="json")
    assert without.status_code == 403
    assert "reason" in without.json()["marking_reason"][0]
    done = api.post(url, {"marking": "UNCLASSIFIED", "reason": "declassified by the owner"}, format="json")
    assert done.status_code == 200, done.content
    british.refresh_from_db()
    assert british.marking.banner == "UNCLASSIFIED"
    event = AuditEvent.objects.get(action="downgrade", object_id=str(british.pk))
    assert event.actor_name == "security_officer"
    assert event.detail == {
        "from": "CONFIDENTIAL//REL TO USA, GBR",
        "to": "UNCLASSIFIED",
        "reason": "declassified by the owner",
    }
    assert event.model == "agreements.sensor"
    # The downgrade is the one event of that save, not an update besides.
    assert not AuditEvent.objects.filter(
        action="update", object_id=str(british.pk), model="agreements.sensor"
    ).exists()


def test_nobody_else_uses_the_downgrade_action(
    coalition: dict[str, User], api_client_for: Any, british: Sensor
) -> None:
    for name in ["uk_staff", "agreement_admin"]:
        answer = api_client_for(coalition[name]).post(
            f"/api/sensors/{british.pk}/downgrade/", {"marking": "UNCLASSIFIED", "reason": "r"}, format="json"
        )
        assert answer.status_code == 403
    british.refresh_from_db()
    assert british.marking.banner == "CONFIDENTIAL//REL TO USA, GBR"


def test_the_security_officer_downgrades_in_the_browser(
    coalition: dict[str, User], client: Client, british: Sensor
) -> None:
    url = reverse("marking-downgrade", args=["agreements.sensor", british.pk])
    client.force_login(coalition["uk_staff"])
    assert client.get(url).status_code == 404
    client.force_login(coalition["security_officer"])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"marking": "UNCLASSIFIED", "reason": ""})
    assert refused.status_code == 200 and "reason" in refused.content.decode()
    client.post(url, {"marking": "CUI//REL TO USA, GBR", "reason": "releasable summary"})
    british.refresh_from_db()
    assert british.marking.banner == "CUI//REL TO USA, GBR"
    assert AuditEvent.objects.filter(action="downgrade", object_id=str(british.pk)).count() == 1


def test_an_agreement_admin_cannot_downgrade_an_agreement_in_its_form(
    coalition: dict[str, User], client: Client, make_agreement: Callable[..., Agreement]
) -> None:
    agreement = make_agreement(marking="SECRET//REL TO USA, GBR")
    client.force_login(coalition["agreement_admin"])
    url = reverse("agreement-edit", args=[agreement.pk])
    data = submitted_values(client.get(url).text)
    data["marking"] = ["UNCLASSIFIED"]
    answer = client.post(url, data)
    assert answer.status_code == 400
    assert "downgrade" in answer.content.decode()
    agreement.refresh_from_db()
    assert agreement.marking.banner == "SECRET//REL TO USA, GBR"


def test_the_rule_is_one_function() -> None:
    before = Marking.parse("CONFIDENTIAL//REL TO USA, GBR")
    with pytest.raises(marking_changes.MarkingChangeRefused):
        marking_changes.check_change(None, before, Marking.parse("UNCLASSIFIED"))
    assert marking_changes.check_change(None, before, Marking.parse("SECRET//NOFORN")).is_downgrade is False
