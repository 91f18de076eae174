"""The observation API names the request an observation answers only to readers who may open it."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.observations.models import Observation
from portal.markings.marking import Marking
from portal.models import User

from .conftest import World
from .test_fulfilment import deliver, in_window

FVEY = "CUI//REL TO USA, FVEY"


def links_seen_by(api, **params) -> dict[int, int | None]:
    response = api.get("/api/observations/", params)
    assert response.status_code == 200
    return {row["id"]: row["tasking_request"] for row in response.json()["results"]}


def test_the_request_id_is_shown_only_to_who_may_open_the_request(world: World, api_client_for) -> None:
    to_uk = world.file(marking=Marking.parse("CUI//REL TO USA, GBR"))
    # AUS may read this one by its marking, but it is addressed to the UK: a 404 for au_staff.
    world.mark_agreement("uk", FVEY)
    to_uk_fvey = world.file(title="Shared with FVEY", marking=Marking.parse(FVEY))
    radar = world.sensors["uk_radar"]
    deliver(radar, world.iss, in_window(to_uk, [1]), marking=FVEY, tasking_request_id=to_uk.pk)
    deliver(radar, world.iss, in_window(to_uk, [2]), marking=FVEY, tasking_request_id=to_uk_fvey.pk)
    deliver(radar, world.iss, in_window(to_uk, [3]), marking=FVEY)
    linked = dict(Observation.objects.values_list("id", "tasking_request_id"))

    for username in ("us_operator", "uk_staff"):
        assert links_seen_by(api_client_for(world.users[username])) == linked, username
    au = api_client_for(world.users["au_staff"])
    assert au.get(f"/api/tasking-requests/{to_uk_fvey.pk}/").status_code == 404
    assert links_seen_by(au) == dict.fromkeys(linked)
    one = next(iter(linked))
    hidden = au.get(f"/api/observations/{one}/").json()
    assert hidden["tasking_request"] is None


def test_one_query_per_page_for_the_links(world: World, api_client_for) -> None:
    radar = world.sensors["uk_radar"]
    api = api_client_for(world.users["uk_staff"])

    def queries_for_a_page() -> int:
        # A fresh user, as each request of a signed-in partner loads one: what a request
        # keeps on its user (the answer-permission keys) must not carry over between pages.
        fresh = api_client_for(User.objects.get(pk=world.users["uk_staff"].pk))
        with CaptureQueriesContext(connection) as captured:
            links_seen_by(fresh)
        return len(captured)

    first = world.file(title="First")
    deliver(radar, world.iss, in_window(first, [1]), tasking_request_id=first.pk)
    few = queries_for_a_page()
    for n in range(8):
        more = world.file(title=f"More {n}")
        deliver(radar, world.iss, in_window(more, [n + 2, n + 30]), tasking_request_id=more.pk)
    assert queries_for_a_page() == few
    assert len([v for v in links_seen_by(api).values() if v is not None]) == 17
