"""The browser upload form: a bad marking is a form error, before anything is stored."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.observations.models import IngestBatch, Observation
from tests.observations.helpers import optical_record, payload


def upload(client: Client, marking: str) -> Any:
    data = payload([optical_record(i) for i in range(1, 4)], "tdm-kvn")
    return client.post(
        reverse("observation-upload"), {"file": SimpleUploadedFile("obs.tdm", data), "marking": marking}
    )


def test_a_marking_that_does_not_parse_is_a_form_error(world: Any, media: Any, client: Client) -> None:
    client.force_login(world.users["uk_staff"])
    answer = upload(client, "ZZZ")
    assert answer.status_code == 400
    assert "unknown classification level" in answer.content.decode()
    assert not IngestBatch.objects.exists()


def test_a_marking_the_author_could_not_read_is_a_form_error(world: Any, media: Any, client: Client) -> None:
    client.force_login(world.users["uk_staff"])
    answer = upload(client, "SECRET//REL TO USA, AUS")
    assert answer.status_code == 400
    assert "not releasable to GBR" in answer.content.decode()
    assert not IngestBatch.objects.exists()


def test_a_good_marking_is_delivered(world: Any, media: Any, client: Client) -> None:
    client.force_login(world.users["uk_staff"])
    answer = upload(client, "SECRET//REL TO USA, GBR")
    assert answer.status_code == 302
    assert Observation.objects.count() == 3
    assert IngestBatch.objects.get().marking.level >= 3
