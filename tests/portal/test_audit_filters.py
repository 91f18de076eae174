"""The audit page and the audit API read their parameters through one filter: the same
parameters answer the same events on both, and a bad value is refused on both, naming it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, User

UTC = dt.UTC


def _event(at: dt.datetime, actor: str, action: str, model: str, object_id: str) -> AuditEvent:
    # `at` is stamped on insert and the trail refuses updates: the clock is set instead.
    with mock.patch("django.utils.timezone.now", return_value=at):
        return AuditEvent.objects.create(
            actor_name=actor, action=action, model=model, object_id=object_id, object_repr=object_id
        )


@pytest.fixture
def trail(coalition: dict[str, User]) -> dict[str, AuditEvent]:
    return {
        "early": _event(
            dt.datetime(2026, 3, 31, 23, 59, tzinfo=UTC), "uk_staff", "create", "portal.notice", "1"
        ),
        "first": _event(
            dt.datetime(2026, 4, 1, 0, 0, tzinfo=UTC), "uk_staff", "update", "portal.notice", "1"
        ),
        "noon": _event(dt.datetime(2026, 4, 1, 12, 0, tzinfo=UTC), "fr_staff", "read", "portal.notice", "2"),
        "late": _event(
            dt.datetime(2026, 4, 1, 23, 59, 59, tzinfo=UTC),
            "fr_staff",
            "update",
            "tasking.taskingrequest",
            "7",
        ),
        "next": _event(dt.datetime(2026, 4, 2, 0, 0, tzinfo=UTC), "uk_staff", "delete", "portal.notice", "2"),
    }


def _names(trail: dict[str, AuditEvent], ids: set[int]) -> set[str]:
    return {name for name, event in trail.items() if event.pk in ids}


def _page_ids(client: Client, params: dict[str, str]) -> set[int]:
    response = client.get(reverse("audit-log"), params)
    assert response.status_code == 200, response.content
    return {event.pk for event in response.context["object_list"]}


def _api_ids(api: Any, params: dict[str, str]) -> set[int]:
    response = api.get("/api/audit/", params)
    assert response.status_code == 200, response.content
    return {event["id"] for event in response.json()["results"]}


# Each: the parameters, and the events of `trail` they answer (written out by hand).
CASES: list[tuple[dict[str, str], set[str]]] = [
    ({"since": "2026-04-01", "until": "2026-04-01"}, {"first", "noon", "late"}),
    ({"until": "2026-03-31"}, {"early"}),
    ({"since": "2026-04-02"}, {"next"}),
    ({"since": "2026-04-01T12:00:00Z"}, {"noon", "late", "next"}),
    ({"since": "2026-04-01T00:00", "until": "2026-04-01T12:00:00+00:00"}, {"first"}),
    ({"until": "2026-04-01T14:00:00+02:00"}, {"early", "first"}),
    ({"actor": "fr_staff"}, {"noon", "late"}),
    ({"actor_name": "uk_staff", "action": "update"}, {"first"}),
    ({"model": "portal.notice", "object_id": "2"}, {"noon", "next"}),
    ({"model": "tasking.taskingrequest"}, {"late"}),
    ({"model": "no.such", "since": "2026-01-01"}, set()),
]


@pytest.mark.parametrize(("params", "expected"), CASES, ids=[str(p) for p, _ in CASES])
def test_the_page_and_the_api_answer_the_same_events(
    params: dict[str, str],
    expected: set[str],
    trail: dict[str, AuditEvent],
    coalition: dict[str, User],
    client: Client,
    api_client_for: Any,
) -> None:
    officer = coalition["security_officer"]
    client.force_login(officer)
    # Only the events written here count: the seed's own are stamped with today's clock.
    ours = {event.pk for event in trail.values()}
    page = _page_ids(client, params) & ours
    api = _api_ids(api_client_for(officer), params) & ours
    assert _names(trail, page) == expected
    assert _names(trail, api) == expected


@pytest.mark.parametrize("name", ["since", "until", "action"])
def test_a_bad_value_is_refused_naming_the_parameter_on_both(
    name: str, coalition: dict[str, User], client: Client, api_client_for: Any
) -> None:
    officer = coalition["security_officer"]
    client.force_login(officer)
    page = client.get(reverse("audit-log"), {name: "01/04/2026 garbage%"})
    assert page.status_code == 400 and page.content.decode().startswith(f"{name}: ")
    api = api_client_for(officer).get("/api/audit/", {name: "01/04/2026 garbage%"})
    assert api.status_code == 400 and name in api.json()


def test_a_bad_date_says_the_form_expected_in_the_same_words_on_both(
    coalition: dict[str, User], client: Client, api_client_for: Any
) -> None:
    officer = coalition["security_officer"]
    client.force_login(officer)
    page = client.get(reverse("audit-log"), {"until": "2026-02-30"})
    api = api_client_for(officer).get("/api/audit/", {"until": "2026-02-30"})
    assert page.status_code == 400 and api.status_code == 400
    (message,) = api.json()["until"]
    assert "YYYY-MM-DD" in message
    assert page.content.decode() == f"until: {message}"
