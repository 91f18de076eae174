"""A fuzzer over the upload endpoints: the bulk delivery API, the file upload, and element-set
submissions, with hostile payloads and parameters. None answers 500; every refused record in
an answer names its record and where (field or line)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.catalog.conftest import SAMPLES
from tests.fuzz.mutations import HOSTILE, hostile
from tests.observations.conftest import media, world
from tests.observations.helpers import payload, radar_record

__all__ = ["media", "world"]

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
UDL = payload([radar_record(i) for i in range(1, 4)], "udl-json").decode()
FILES = {
    "obs.csv": payload([radar_record(i) for i in range(1, 4)], "csv").decode(),
    "obs.tdm": payload([radar_record(i) for i in range(1, 4)], "tdm-kvn").decode(),
    "obs.xml": payload([radar_record(i) for i in range(1, 4)], "tdm-xml").decode(),
    "obs.b3": payload([radar_record(i, sensor=399, sat_no=25544) for i in range(1, 4)], "b3").decode(),
}
parameters = st.dictionaries(
    st.sampled_from(["sensor", "marking", "format", "tasking_request"]),
    st.sampled_from(HOSTILE) | st.sampled_from(["9102", "CUI//REL TO USA, GBR", "udl-json", "1"]),
    max_size=2,
)


def assert_answered(response: Any) -> None:
    assert response.status_code < 500, response.content[:300]
    if not response["Content-Type"].startswith("application/json"):
        return
    body = response.json()
    for error in body.get("errors", []) if isinstance(body, dict) else []:
        assert error["record"] >= 1 and error["message"], error
        assert error.get("field") or error.get("line") is not None, error


def test_the_bulk_delivery_api_answers_hostile_payloads_and_parameters_without_a_500(
    world: Any, media: Any, api_client_for: Any
) -> None:
    api = api_client_for(world.users["uk_staff"])

    @FUZZ
    @given(body=hostile(UDL), query=parameters)
    def check(body: str, query: dict[str, str]) -> None:
        url = "/api/observations/"
        response = api.generic(
            "POST",
            url,
            body.encode("utf-8", "surrogatepass"),
            content_type="application/json",
            QUERY_STRING=_query(query),
        )
        assert_answered(response)

    check()


def _query(query: dict[str, str]) -> str:
    from urllib.parse import quote

    return "&".join(f"{key}={quote(value.encode('utf-8', 'surrogatepass'))}" for key, value in query.items())


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_file_upload_answers_hostile_files_without_a_500(
    world: Any, media: Any, api_client_for: Any, name: str
) -> None:
    api = api_client_for(world.users["uk_staff"])

    @FUZZ
    @given(text=hostile(FILES[name]))
    def check(text: str) -> None:
        upload = SimpleUploadedFile(name, text.encode("utf-8", "surrogatepass"))
        response = api.post(
            "/api/observations/upload/", {"file": upload, "sensor": "9102"}, format="multipart"
        )
        assert_answered(response)

    check()


@pytest.mark.parametrize(
    "sample",
    [
        "elements_3le.tle",
        "elements_omm.kvn",
        "elements_omm.xml",
        "elements_omm.csv",
        "elements_celestrak_omm.json",
    ],
)
def test_element_set_submissions_answer_hostile_text_without_a_500(
    world: Any, api_client_for: Any, sample: str
) -> None:
    api = api_client_for(world.users["uk_staff"])
    text = (SAMPLES / sample).read_text()

    @FUZZ
    @given(data=hostile(text))
    def check(data: str) -> None:
        body = json.dumps({"marking": "CUI//REL TO USA, GBR", "text": data})  # surrogates as \\ud800 escapes
        response = api.post("/api/catalog/elsets/", body, content_type="application/json")
        assert_answered(response)

    check()
