"""Hostile input on the delivery API: every parameter checked before anything is written, limits
answered in JSON naming the limit, and `?format=` taken as the delivery's format."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.observations.models import IngestBatch, Observation
from tests.observations.helpers import payload, radar_record

pytestmark = pytest.mark.django_db


def deliver(api: Any, query: str, body: bytes | None = None) -> Any:
    body = body if body is not None else payload([radar_record(1)], "udl-json")
    return api.post(f"/api/observations/?{query}", body, content_type="application/json")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sensor=99999999999", "sensor"),
        ("sensor=-3", "sensor"),
        ("marking=SECRET%00", "marking"),
        ("marking=" + "S" * 201, "marking"),
        ("tasking_request=987654", "tasking_request"),
        ("tasking_request=abc", "tasking_request"),
        ("format=pdf", "format"),
    ],
)
def test_a_bad_delivery_parameter_is_a_400_naming_it_and_nothing_is_written(
    world: Any, media: Any, api_client_for: Any, query: str, parameter: str
) -> None:
    response = deliver(api_client_for(world.users["uk_staff"]), query)
    assert response.status_code == 400, response.content
    assert parameter in response.json()
    assert not IngestBatch.objects.exists() and not Observation.objects.exists()


def test_the_documented_format_parameter_reaches_the_delivery(
    world: Any, media: Any, api_client_for: Any
) -> None:
    response = deliver(api_client_for(world.users["uk_staff"]), "format=udl-json")
    assert response.status_code == 201, response.content
    assert response.json()["format"] == "udl-json"


def test_a_body_over_the_limit_is_a_json_413_naming_the_limit(
    world: Any, media: Any, api_client_for: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = payload([radar_record(i) for i in range(1, 200)], "udl-json")
    response = deliver(api_client_for(world.users["uk_staff"]), "", body)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "10000" in response.json()["detail"]
    assert not IngestBatch.objects.exists()


def test_the_default_body_limit_takes_the_documented_bulk_size(settings: Any) -> None:
    # About 300 bytes a UDL record: a 100,000-record delivery must fit.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 100_000 * 300


def test_an_upload_over_the_cap_is_a_json_413_and_nothing_is_written(
    world: Any, media: Any, api_client_for: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MAX_UPLOAD_BYTES = 1000
    body = payload([radar_record(i) for i in range(1, 50)], "udl-json")
    upload = SimpleUploadedFile("big.json", body, content_type="application/json")
    response = api_client_for(world.users["uk_staff"]).post(
        "/api/observations/upload/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 413 and "1000" in response.json()["detail"]
    assert not IngestBatch.objects.exists()


def test_json_nested_a_thousand_deep_is_a_400_on_the_element_set_api(
    coalition: Any, api_client_for: Any
) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = api_client_for(coalition["us_operator"]).post(
        "/api/catalog/elsets/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "nested" in response.json()["detail"]


def test_json_nested_too_deep_in_a_delivery_fails_the_batch_with_the_reason(
    world: Any, media: Any, api_client_for: Any
) -> None:
    body = ("[" + "[" * 100_000 + "]" * 100_000 + "]").encode()
    response = deliver(api_client_for(world.users["uk_staff"]), "", body)
    assert response.status_code == 400 and "nested too deep" in response.json()["message"]
