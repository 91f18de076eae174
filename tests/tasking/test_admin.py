"""The admin pages of tasking show a superuser only what their clearance and nationality allow."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.test import Client
from django.urls import reverse

from portal.admin import MarkedModelAdmin
from portal.markings.marking import Marking
from portal.markings.models import MarkedModel
from portal.models import User
from portal.testing import sign_in
from tasking.models import CoalitionOperation, Notification, RequestMessage, TaskingRequest
from tasking.services import conversation
from tasking.services.operations import create_operation

from .conftest import World


def british_superuser() -> Client:
    boss = User.objects.create_superuser("uk_root", nationality="GBR", clearance=3)
    return sign_in(Client(), boss)


def test_every_marked_tasking_model_has_a_filtered_admin() -> None:
    for model in (TaskingRequest, CoalitionOperation, RequestMessage, Notification):
        assert issubclass(model, MarkedModel)
        assert isinstance(admin.site._registry.get(model), MarkedModelAdmin), model


def test_a_superuser_lists_and_opens_only_what_they_may_see(world: World) -> None:
    operator = world.users["us_operator"]
    secret_op = create_operation(
        operator,
        code="us-eyes-only",
        name="Quiet reentry watch",
        starts=world.now,
        ends=world.now + dt.timedelta(days=1),
        marking=Marking.parse("SECRET//NOFORN"),
    )
    shared = world.file(title="Shared with the UK")
    # Filing refuses this link now; planted, as a record from before that rule would hold it.
    TaskingRequest.objects.filter(pk=shared.pk).update(operation=secret_op)
    hidden = world.file(
        title="Hidden from the UK",
        spoc=None,
        sensor=world.sensors["fr_radar"],
        marking=Marking.parse("CUI//REL TO USA, FRA"),
    )
    conversation.post_message(shared, operator, "Radar slot at 14:00?", Marking.parse("CUI//REL TO USA, GBR"))
    conversation.post_message(hidden, operator, "For France only", Marking.parse("CUI//REL TO USA, FRA"))
    client = british_superuser()

    listing = client.get(reverse("admin:tasking_taskingrequest_changelist")).content.decode()
    assert "Shared with the UK" in listing and "Hidden from the UK" not in listing
    page = client.get(reverse("admin:tasking_taskingrequest_change", args=[shared.pk]))
    assert page.status_code == 200
    assert "Quiet reentry watch" not in page.content.decode()
    missing = client.get(reverse("admin:tasking_taskingrequest_change", args=[hidden.pk]), follow=True)
    assert "Hidden from the UK" not in missing.content.decode()

    messages = client.get(reverse("admin:tasking_requestmessage_changelist")).content.decode()
    assert "CUI//REL TO USA, GBR" in messages and "FRA" not in messages
    notices = client.get(reverse("admin:tasking_notification_changelist")).content.decode()
    assert shared.reference in notices and hidden.reference not in notices
    operations = client.get(reverse("admin:tasking_coalitionoperation_changelist")).content.decode()
    assert "Quiet reentry watch" not in operations


def test_the_us_side_sees_the_operation_behind_a_request(world: World) -> None:
    operator = world.users["us_operator"]
    operation = create_operation(
        operator,
        code="launch-watch",
        name="Launch watch",
        starts=world.now,
        ends=world.now + dt.timedelta(days=1),
        marking=Marking.parse("CUI//REL TO USA, GBR"),
    )
    request = world.file(operation=operation)
    boss = User.objects.create_superuser("us_root", nationality="USA", clearance=3)
    client = sign_in(Client(), boss)
    page = client.get(reverse("admin:tasking_taskingrequest_change", args=[request.pk])).content.decode()
    assert "Launch watch" in page and "ISS (ZARYA)" in page
    plan = client.get(reverse("admin:tasking_coalitionoperation_change", args=[operation.pk]))
    assert plan.status_code == 200
