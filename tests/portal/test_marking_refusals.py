"""A marking the author could not read is refused with the reason: too high, or not releasable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.markings import Marking
from portal.models import User

pytestmark = pytest.mark.django_db


def test_a_noforn_notice_by_a_partner_is_refused_as_not_releasable(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["fr_staff"])
    refused = client.post(
        reverse("notice-create"), {"title": "t", "body": "b", "marking": "CONFIDENTIAL//NOFORN"}
    )
    page = refused.content.decode()
    assert "CONFIDENTIAL//NOFORN is not releasable to FRA" in page
    assert "above" not in page.split("is not releasable to FRA")[1][:200]


def test_a_marking_above_the_clearance_is_refused_as_above(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["fr_staff"])
    refused = client.post(
        reverse("notice-create"), {"title": "t", "body": "b", "marking": "SECRET//REL TO USA, FRA"}
    )
    assert "SECRET//REL TO USA, FRA is above your clearance" in refused.content.decode()


def test_the_api_gives_the_same_reasons(coalition: dict[str, User], api_client_for: Any) -> None:
    api = api_client_for(coalition["fr_staff"])
    answer = api.post(
        "/api/notices/", {"title": "t", "body": "b", "marking": "UNCLASSIFIED//NOFORN"}, format="json"
    )
    assert answer.status_code == 400
    assert "not releasable to FRA" in str(answer.json()["marking"])


@pytest.mark.parametrize(
    ("marking", "reader", "expected"),
    [
        ("SECRET//REL TO USA, GBR", ("GBR", 3), None),
        ("SECRET//REL TO USA, GBR", ("GBR", 2), "above your clearance"),
        ("CUI//REL TO USA, AUS", ("GBR", 4), "not releasable to GBR"),
        ("TOP SECRET//NOFORN", ("USA", 3), "above your clearance"),
    ],
)
def test_refusal_reasons(marking: str, reader: tuple[str, int], expected: str | None) -> None:
    class Reader:
        is_authenticated = True
        nationality, clearance = reader

    refusal = Marking.parse(marking).refusal_for(Reader())
    assert refusal is None if expected is None else expected in (refusal or "")
