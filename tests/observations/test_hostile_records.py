"""Hostile values inside records are refused record by record, naming the record and the field,
while the good records of the same delivery are stored: numbers too large for a float, text with
a NUL or a lone surrogate, and a TLE name line with a NUL."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from catalog.formats.elements import read_elements
from catalog.models import ElementSet
from catalog.observations.models import Observation
from catalog.services.importer import import_stream
from tests.catalog.conftest import SAMPLES
from tests.observations.helpers import payload, radar_record

pytestmark = pytest.mark.django_db


def three_records_the_second_being(field: str, raw_json_value: str) -> bytes:
    """Three UDL records; the second's `field` replaced by `raw_json_value` as written."""
    objects = json.loads(payload([radar_record(i) for i in (1, 2, 3)], "udl-json"))
    marker = "__HOSTILE__"
    objects[1][field] = marker
    return json.dumps(objects).replace(f'"{marker}"', raw_json_value).encode()


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("range", "1" + "0" * 400, "too large"),
        ("range", "1e400", "too large"),
        ("azimuth", "-" + "9" * 5000, "too large"),  # past Python's 4300-digit integer limit
        ("satNo", "1" + "0" * 400, "catalog number"),
        ("trackId", '"TRK\\u0000-1"', "NUL"),
        ("trackId", '"TRK\\ud800-1"', "surrogate"),
        ("clientId", '"A\\udfffB"', "surrogate"),
        ("idSensor", '"9102\\u0000"', "NUL"),
        ("dataMode", '"REAL\\u0000"', "NUL"),
    ],
)
def test_a_hostile_value_refuses_its_record_only(
    world: Any, media: Any, api_client_for: Any, field: str, value: str, says: str
) -> None:
    body = three_records_the_second_being(field, value)
    response = api_client_for(world.users["uk_staff"]).post(
        "/api/observations/", body, content_type="application/json"
    )
    assert response.status_code == 207, response.content[:500]
    answer = response.json()
    assert answer["accepted_records"] == [1, 3]
    (error,) = answer["errors"]
    assert error["record"] == 2 and error["field"] == field, error
    assert says in error["message"], error
    assert Observation.objects.count() == 2


def tle_sets_with_a_nul_in_the_second_name() -> tuple[str, int]:
    text = (SAMPLES / "elements_3le.tle").read_text()
    lines = text.splitlines()
    names = [i for i, line in enumerate(lines) if line.strip() and line[0] not in "12#"]
    lines[names[1]] = lines[names[1]][:4] + "\x00" + lines[names[1]][4:]
    return "\n".join(lines) + "\n", names[1] + 1


def test_a_tle_name_line_with_a_nul_refuses_that_set_naming_its_line_and_reads_the_others() -> None:
    text, line = tle_sets_with_a_nul_in_the_second_name()
    items = list(read_elements(io.StringIO(text)))
    refused = [item for item in items if not hasattr(item, "norad_cat_id")]
    assert len(items) == 3 and len(refused) == 1, items
    assert (refused[0].record, refused[0].line, refused[0].field) == (2, line, "OBJECT_NAME")
    assert "NUL" in refused[0].message
    result = import_stream(io.StringIO(text), marking="UNCLASSIFIED")
    assert (result.added, result.rejected) == (2, 1)
    assert ElementSet.objects.count() == 2
