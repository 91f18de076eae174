"""The marking matrix: every persona sees exactly the notices its clearance and nation allow,
in lists, counts, detail pages and the API; everything else is a 404 like a missing record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Notice, User

EVERYONE = {
    "us_operator",
    "uk_staff",
    "au_staff",
    "fr_staff",
    "agreement_admin",
    "security_officer",
    "visitor",
}
US_SECRET = {"us_operator", "agreement_admin", "security_officer"}
US_TS = {"agreement_admin", "security_officer"}

# What each seeded notice's marking lets through.
EXPECTED = {
    "Coalition portal open for the winter exercise": EVERYONE,  # UNCLASSIFIED
    "Starbrook-like telescope maintenance": US_SECRET | {"uk_staff"},  # CUI//REL TO USA, GBR
    "Heightened RPO activity in GEO belt": US_SECRET | {"uk_staff", "au_staff"},  # S//REL TO USA, FVEY
    "SSN radar retasking plan": US_SECRET,  # S//NOFORN
    "GRAVES-like radar coverage change": US_SECRET | {"fr_staff"},  # C//REL TO USA, FRA
    "Special handling: restricted object list": US_TS,  # TS//NOFORN
}


def visible_titles(username: str) -> set[str]:
    return {title for title, readers in EXPECTED.items() if username in readers}


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_visible_to_filters_in_sql_for_every_persona(coalition: dict[str, User], username: str) -> None:
    user = coalition[username]
    notices = Notice.objects.visible_to(user)
    assert set(notices.values_list("title", flat=True)) == visible_titles(username)
    assert notices.count() == len(visible_titles(username))


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_each_persona_sees_its_notices_in_the_browser_and_404_for_the_rest(
    coalition: dict[str, User], client: Client, username: str
) -> None:
    client.force_login(coalition[username])
    listing = client.get(reverse("notice-list")).content.decode()
    for notice in Notice.objects.all():
        detail = client.get(reverse("notice-detail", args=[notice.pk]))
        if notice.title in visible_titles(username):
            assert notice.title in listing
            assert detail.status_code == 200
        else:
            assert notice.title not in listing
            assert detail.status_code == 404
    assert client.get(reverse("notice-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_each_persona_sees_its_notices_in_the_api_and_404_for_the_rest(
    coalition: dict[str, User], api_client_for: Any, username: str
) -> None:
    api = api_client_for(coalition[username])
    listed = api.get("/api/notices/").json()["results"]
    assert {row["title"] for row in listed} == visible_titles(username)
    for notice in Notice.objects.all():
        expected = 200 if notice.title in visible_titles(username) else 404
        assert api.get(f"/api/notices/{notice.pk}/").status_code == expected


def test_hidden_and_missing_records_answer_the_same(coalition: dict[str, User], api_client_for: Any) -> None:
    api = api_client_for(coalition["fr_staff"])
    hidden = Notice.objects.get(title="SSN radar retasking plan")
    assert api.get(f"/api/notices/{hidden.pk}/").json() == api.get("/api/notices/999999/").json()


def test_superusers_are_not_exempt(coalition: dict[str, User]) -> None:
    boss = User.objects.create_superuser("root", nationality="GBR", clearance=2)
    titles = set(Notice.objects.visible_to(boss).values_list("title", flat=True))
    assert titles == {"Coalition portal open for the winter exercise", "Starbrook-like telescope maintenance"}


def test_inactive_and_anonymous_users_see_nothing(coalition: dict[str, User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    operator = coalition["us_operator"]
    operator.is_active = False
    assert Notice.objects.visible_to(operator).count() == 0
    assert Notice.objects.visible_to(AnonymousUser()).count() == 0
    assert Notice.objects.visible_to(None).count() == 0


def test_admin_changelist_is_filtered_too(coalition: dict[str, User], client: Client) -> None:
    admin_user = coalition["agreement_admin"]
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.nationality = "GBR"
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/admin/portal/notice/").content.decode()
    assert "Heightened RPO activity" in page
    assert "SSN radar retasking plan" not in page


def test_the_api_cannot_create_a_notice_above_the_authors_reach(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    api = api_client_for(coalition["uk_staff"])
    refused = api.post(
        "/api/notices/", {"title": "x", "body": "y", "marking": "SECRET//NOFORN"}, format="json"
    )
    assert refused.status_code == 400
    assert "marking" in refused.json()
    bad = api.post("/api/notices/", {"title": "x", "body": "y", "marking": "SECRET"}, format="json")
    assert bad.status_code == 400
    assert "releasability" in bad.json()["marking"][0]
    made = api.post(
        "/api/notices/", {"title": "x", "body": "y", "marking": "SECRET//REL TO USA, GBR"}, format="json"
    )
    assert made.status_code == 201
    assert made.json()["marking"] == "SECRET//REL TO USA, GBR"


def test_an_aggregate_is_marked_with_the_combination_of_its_rows(coalition: dict[str, User]) -> None:
    from portal.markings import Marking

    uk_view = Notice.objects.visible_to(coalition["uk_staff"])
    assert uk_view.combined_marking() == Marking.parse("SECRET//REL TO USA, GBR")
    assert Notice.objects.visible_to(coalition["visitor"]).combined_marking() == Marking.unclassified()
    assert Notice.objects.visible_to(coalition["security_officer"]).combined_marking() == Marking.parse(
        "TS//NOFORN"
    )
    assert Notice.objects.none().combined_marking() is None
    rows = list(Notice.objects.visible_to(coalition["au_staff"]))
    assert Notice.objects.visible_to(coalition["au_staff"]).combined_marking() == Marking.combine(
        *(n.marking for n in rows)
    )


def test_admin_choice_lists_offer_only_visible_records(coalition: dict[str, User], client: Client) -> None:
    from agreements.models import Sensor
    from portal.markings.models import marking_columns
    from portal.models import SpOC

    hidden = Sensor.objects.create(
        spoc=SpOC.objects.get(code="us-spoc"),
        name="Hidden radar",
        number=9977,
        sensor_type="tracking_radar",
        latitude_deg=30.0,
        longitude_deg=-80.0,
        altitude_km=0.0,
        measurement_types=["range"],
        min_elevation_deg=5,
        tracks_per_hour=10,
        **marking_columns("TOP SECRET//NOFORN"),
    )
    operator = coalition["us_operator"]  # SECRET
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    page = client.get("/admin/agreements/sensorbias/add/").content.decode()
    assert page.count("<option") > 1
    assert hidden.name not in page
