"""The Django admin goes through the same rules as the portal's pages: markings edited as one
validated field, downgrades refused unless the security officer makes them, delete
confirmations that name no hidden record, and no self-service clearance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from agreements.models import Sensor
from portal.markings.marking import Level
from portal.markings.models import marking_columns
from portal.models import AuditEvent, Notice, User
from portal.testing import sign_in
from tests.factories import SensorBiasFactory


def superuser(username: str = "root", nationality: str = "USA", clearance: int = 4) -> User:
    return User.objects.create_superuser(username, nationality=nationality, clearance=clearance, password="x")


def admin_client(user: User) -> Client:
    return sign_in(Client(), user)


def notice_change(client: Client, notice: Notice, marking: str, reason: str = "") -> Any:
    return client.post(
        reverse("admin:portal_notice_change", args=[notice.pk]),
        {
            "title": notice.title,
            "body": notice.body,
            "spoc": notice.spoc_id or "",
            "marking": marking,
            "marking_reason": reason,
        },
    )


def test_admin_forms_edit_the_marking_as_one_field(coalition: dict[str, User]) -> None:
    client = admin_client(superuser())
    notice = Notice.objects.get(title="Heightened RPO activity in GEO belt")
    html = client.get(reverse("admin:portal_notice_change", args=[notice.pk])).content.decode()
    assert 'name="marking"' in html and "SECRET//REL TO USA" in html
    for column in ("classification_level", "noforn", "rel_mask"):
        assert f'name="{column}"' not in html
    assert 'name="marking"' in client.get(reverse("admin:agreements_sensor_add")).content.decode()


def test_a_superuser_raises_a_marking_but_may_not_downgrade_one(coalition: dict[str, User]) -> None:
    client = admin_client(superuser())
    notice = Notice.objects.get(title="Heightened RPO activity in GEO belt")  # SECRET//REL TO USA, FVEY
    refused = notice_change(client, notice, "UNCLASSIFIED")
    assert (
        refused.status_code == 200 and "Only the security officer may downgrade" in refused.content.decode()
    )
    widened = notice_change(client, notice, "SECRET//REL TO USA, FVEY, FRA")
    assert widened.status_code == 200
    notice.refresh_from_db()
    assert str(notice.marking) == "SECRET//REL TO USA, AUS, CAN, GBR, NZL"
    raised = notice_change(client, notice, "TOP SECRET//NOFORN")
    assert raised.status_code == 302, raised.context["adminform"].form.errors
    notice.refresh_from_db()
    assert str(notice.marking) == "TOP SECRET//NOFORN"


def test_a_security_officer_downgrades_in_the_admin(coalition: dict[str, User]) -> None:
    officer = coalition["security_officer"]
    User.objects.filter(pk=officer.pk).update(is_staff=True, is_superuser=True)
    officer.refresh_from_db()
    notice = Notice.objects.get(title="Heightened RPO activity in GEO belt")
    client = admin_client(officer)
    assert (
        'name="marking_reason"'
        in client.get(reverse("admin:portal_notice_change", args=[notice.pk])).content.decode()
    )
    unexplained = notice_change(client, notice, "CUI//REL TO USA, FVEY")
    assert unexplained.status_code == 200
    assert "A downgrade needs a reason." in unexplained.content.decode()
    notice.refresh_from_db()
    assert notice.marking.level == Level.SECRET
    done = notice_change(client, notice, "CUI//REL TO USA, FVEY", reason="released by the originator")
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.marking.level == Level.CUI
    event = AuditEvent.objects.filter(model="portal.notice", object_id=str(notice.pk)).latest("pk")
    assert event.action == "downgrade"
    assert event.detail["reason"] == "released by the originator"
    assert event.detail["to"] == "CUI//REL TO USA, AUS, CAN, GBR, NZL"


def test_a_superuser_cannot_change_their_own_clearance_in_the_admin(coalition: dict[str, User]) -> None:
    root = superuser(clearance=2)
    client = admin_client(root)
    page = client.get(reverse("admin:portal_user_change", args=[root.pk])).content.decode()
    assert 'name="clearance"' not in page and 'name="is_superuser"' not in page
    client.post(
        reverse("admin:portal_user_change", args=[root.pk]),
        {"username": "root", "clearance": 4, "nationality": "USA", "date_joined_0": "2026-01-01"},
    )
    root.refresh_from_db()
    assert root.clearance == 2


def test_a_delete_confirmation_names_no_hidden_record_and_refuses(
    coalition: dict[str, User], make_sensor: Callable[..., Sensor]
) -> None:
    sensor = make_sensor("uk-spoc", marking="CUI//REL TO USA, GBR")
    SensorBiasFactory.create(
        sensor=sensor,
        measurement_type="range",
        bias=0.012,
        noise_sigma=0.004,
        effective_date=dt.date(2026, 11, 1),
        source="US-only calibration campaign",
        **marking_columns("SECRET//NOFORN"),
    )
    british = admin_client(superuser("uk_root", nationality="GBR", clearance=3))
    page = british.get(reverse("admin:agreements_sensor_delete", args=[sensor.pk])).content.decode()
    assert "Cannot delete sensor" in page and "related records you may not see" in page
    assert "US-only calibration campaign" not in page and "0.012" not in page
    british.post(reverse("admin:agreements_sensor_delete", args=[sensor.pk]), {"post": "yes"})
    assert Sensor.objects.filter(pk=sensor.pk).exists()
    american = admin_client(superuser("us_root"))
    american_page = american.get(reverse("admin:agreements_sensor_delete", args=[sensor.pk])).content.decode()
    assert "Are you sure" in american_page and "Cannot delete" not in american_page


def test_the_seeded_admins_are_sent_to_their_own_pages_not_an_empty_admin(
    coalition: dict[str, User], client: Client
) -> None:
    for username, page in (("agreement_admin", "agreement-list"), ("security_officer", "security-users")):
        client.force_login(coalition[username])
        response = client.get("/admin/", follow=True)
        assert "have permission to view or edit" not in response.content.decode()
        assert response.redirect_chain[-1][0] == reverse("home")
        assert client.get(reverse(page)).status_code == 200
