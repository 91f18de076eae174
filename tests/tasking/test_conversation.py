"""The thread on a request: a message is never marked less restrictively than its request."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.errors import DomainError, NotAllowed
from portal.markings.marking import Marking
from tasking.models import Notification, RequestMessage
from tasking.services.conversation import post_message

from .conftest import World


def test_both_sides_talk_and_each_sees_what_its_marking_allows(world: World, client: Client) -> None:
    request = world.file(marking=Marking.parse("CUI//REL TO USA, GBR"))
    post_message(
        request, world.users["uk_staff"], "Can do the 02:10 pass only.", Marking.parse("CUI//REL TO USA, GBR")
    )
    post_message(
        request, world.users["us_operator"], "Internal: SSN backup ready.", Marking.parse("SECRET//NOFORN")
    )
    client.force_login(world.users["uk_staff"])
    page = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    assert "Can do the 02:10 pass only." in page and "SSN backup" not in page
    assert not Notification.objects.filter(user=world.users["uk_staff"], kind="message").exists()
    assert Notification.objects.filter(user=world.users["us_operator"], kind="message").exists()


def test_a_message_looser_than_its_request_is_refused(world: World) -> None:
    request = world.file(marking=Marking.parse("CUI//REL TO USA, GBR"))
    with pytest.raises(DomainError, match="at least as restrictively"):
        post_message(request, world.users["uk_staff"], "hello", Marking.unclassified())
    with pytest.raises(DomainError):
        post_message(request, world.users["us_operator"], "hello", Marking.parse("CUI//REL TO USA, FVEY"))
    assert not RequestMessage.objects.exists()


def test_outsiders_cannot_post(world: World, client: Client) -> None:
    world.mark_agreement("uk", "CUI//REL TO USA, FVEY")
    request = world.file(marking=Marking.parse("CUI//REL TO USA, FVEY"))
    with pytest.raises(NotAllowed):
        post_message(request, world.users["au_staff"], "hi", Marking.parse("CUI//REL TO USA, FVEY"))
    client.force_login(world.users["au_staff"])
    response = client.post(
        reverse("request-message", args=[request.pk]), {"body": "hi", "marking": "CUI//REL TO USA, FVEY"}
    )
    assert response.status_code == 404


def test_the_browser_form_explains_a_refused_marking(world: World, client: Client) -> None:
    request = world.file()
    client.force_login(world.users["uk_staff"])
    response = client.post(
        reverse("request-message", args=[request.pk]), {"body": "hi", "marking": "UNCLASSIFIED"}
    )
    assert response.status_code == 400 and "at least as restrictively" in response.content.decode()
    ok = client.post(
        reverse("request-message", args=[request.pk]), {"body": "hi", "marking": "CUI//REL TO USA, GBR"}
    )
    assert ok.status_code == 302
