"""The demo seed: a month of history in every state, an operation with a plan, and idempotent."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse

from agreements.seed import seed as seed_agreements
from catalog.seed import seed as seed_catalog
from portal.models import User
from tasking.choices import RequestStatus
from tasking.models import CoalitionOperation, TaskingRequest
from tasking.seed import OPERATION_CODE, seed


def test_seed_builds_a_month_of_history_once(coalition: dict[str, User], client: Client) -> None:
    seed_agreements()
    seed_catalog()
    first = seed()
    assert first["tasking_requests"] > 60
    statuses = set(TaskingRequest.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values), set(RequestStatus.values) - statuses
    assert {"uk-spoc", "au-spoc", "ca-spoc", "fr-spoc", "jp-spoc"} <= set(
        TaskingRequest.objects.values_list("spoc__code", flat=True)
    )
    operation = CoalitionOperation.objects.get(code=OPERATION_CODE)
    assert operation.plan.count() >= 4 and operation.requests.exists()
    assert seed() == first
    client.force_login(coalition["uk_staff"])
    inbox = client.get(reverse("request-inbox")).content.decode()
    assert "Waiting for your answer" in inbox and "TR-" in inbox
    assert client.get(reverse("tasking-metrics")).status_code == 200
    assert client.get(reverse("operation-detail", args=[OPERATION_CODE])).status_code == 200


def test_every_page_renders_for_every_persona_on_the_seeded_coalition(
    coalition: dict[str, User], client: Client, api_client_for: Any
) -> None:
    seed_agreements()
    seed_catalog()
    seed()
    some = TaskingRequest.objects.order_by("pk").first()
    assert some is not None
    for user in coalition.values():
        client.force_login(user)
        for name in ("request-list", "operation-list", "tasking-metrics", "notification-list"):
            assert client.get(reverse(name)).status_code == 200, (user, name)
        assert client.get(reverse("request-detail", args=[some.pk])).status_code in (200, 404)


# Queries per seeded request: filing (route, targets, passes), its transitions, each with its
# history, audit rows, notifications and grants. It was 74 while the staff grants went through
# guardian one permission at a time and each transition fetched the SpOC and requester again.
QUERIES_PER_REQUEST = 62


def test_the_seed_runs_a_bounded_number_of_queries_per_request(coalition: dict[str, User]) -> None:
    seed_agreements()
    seed_catalog()
    queries: list[str] = []

    def count(execute: Any, sql: str, *args: Any) -> Any:
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        seed()
    requests = TaskingRequest.objects.count()
    assert requests > 60
    assert len(queries) <= QUERIES_PER_REQUEST * requests, (len(queries), requests)
