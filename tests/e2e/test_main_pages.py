"""Each main page in the browser, as the persona who uses it: it answers, carries its
classification banners top and bottom, and raises no script error. With PORTAL_SCREENSHOTS set
(`PORTAL_SCREENSHOTS=docs/screenshots`), each page's screenshot is written there."""

from __future__ import annotations

from typing import Any

import pytest

from tasking.models import TaskingRequest
from tests.tasking.conftest import World, world

from .conftest import screenshot

__all__ = ["world"]

pytestmark = pytest.mark.django_db(transaction=True)

# (persona, screenshot name, path)
PAGES: list[tuple[str, str, str]] = [
    ("us_operator", "operator-home", "/"),
    ("us_operator", "operator-requests", "/tasking/"),
    ("us_operator", "operator-request", "/tasking/requests/{request}/"),
    ("us_operator", "operator-file-request", "/tasking/new/"),
    ("us_operator", "operator-metrics", "/tasking/metrics/"),
    ("us_operator", "operator-catalog", "/catalog/"),
    ("us_operator", "operator-observations", "/observations/"),
    ("us_operator", "operator-deliveries", "/observations/batches/"),
    ("us_operator", "operator-notifications", "/tasking/notifications/"),
    ("uk_staff", "uk-staff-home", "/"),
    ("uk_staff", "uk-staff-inbox", "/tasking/inbox/"),
    ("uk_staff", "uk-staff-sensors", "/agreements/sensors/"),
    ("agreement_admin", "admin-agreements", "/agreements/"),
    ("agreement_admin", "admin-evaluations", "/agreements/evaluations/"),
    ("security_officer", "security-audit-trail", "/audit/"),
    ("security_officer", "security-task-runs", "/task-runs/"),
]


@pytest.fixture
def coalition_with_work(world: World) -> World:
    world.file(title="Track ISS after reboost")
    world.file(title="HST attitude check", targets=[world.hubble])
    return world


@pytest.mark.parametrize("persona", sorted({p for p, _, _ in PAGES}))
def test_each_main_page_answers_with_its_banners(
    coalition_with_work: World, login: Any, live_server: Any, persona: str
) -> None:
    request = TaskingRequest.objects.order_by("pk").first()
    assert request is not None
    page = login(persona)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for _, name, path in [p for p in PAGES if p[0] == persona]:
        answer = page.goto(live_server.url + path.format(request=request.pk))
        assert answer is not None and answer.status == 200, path
        page.wait_for_load_state("networkidle")
        banners = page.locator(".classification-banner")
        assert banners.count() >= 2, path
        assert banners.first.inner_text() == banners.last.inner_text(), path
        screenshot(page, name)
    assert errors == []
