"""A fuzzer over every reader: element sets (TLE, OMM as KVN, XML, JSON and CSV), observations
(UDL JSON, CSV, TDM KVN and XML, B3) and markings. Whatever the input, a reader raises nothing
but its own refusal (FormatError for a file, MarkingError for a marking), refuses a record
with a RecordError naming the record and where (field or line), and what it accepts can be
stored (finite numbers, text without NUL or lone surrogates)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.formats.elements import ElementSetRecord, read_elements
from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import read_observations
from catalog.formats.observations_common import FLOAT_FIELDS, STRING_FIELDS, ObservationRecord
from portal.markings.marking import Marking, MarkingError
from tests.catalog.conftest import SAMPLES
from tests.fuzz.mutations import hostile, mutated
from tests.observations.helpers import optical_record, payload, radar_record

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)

ELEMENT_SAMPLES = {
    "tle": "elements_3le.tle",
    "omm-kvn": "elements_omm.kvn",
    "omm-xml": "elements_omm.xml",
    "omm-json": "elements_celestrak_omm.json",
    "omm-csv": "elements_omm.csv",
}


def observation_sample(fmt: str) -> str:
    sensor = 399 if fmt == "b3" else 9102  # B3 carries three-digit sensor numbers
    records = [radar_record(i, sensor=sensor, sat_no=25544) for i in range(1, 4)]
    if fmt not in ("tdm-kvn", "tdm-xml"):
        records += [optical_record(i, sensor=sensor, sat_no=43013) for i in (4, 5)]
    return payload(records, fmt).decode()


def storable_text(value: str | None) -> bool:
    return value is None or ("\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value))


def read_all(read: Callable[[], Iterable[Any]]) -> list[Any]:
    """Every item of the reader, or [] when it refuses the whole file with a message."""
    try:
        return list(read())
    except FormatError as exc:
        assert str(exc).strip()
        return []


def assert_refusals_name_record_and_place(items: list[Any]) -> None:
    for item in items:
        if isinstance(item, RecordError):
            assert item.record >= 1 and item.message.strip(), item
            assert item.field or item.line is not None, item


@pytest.mark.parametrize("fmt", sorted(ELEMENT_SAMPLES))
def test_element_readers_refuse_hostile_input_with_their_own_errors(fmt: str) -> None:
    text = (SAMPLES / ELEMENT_SAMPLES[fmt]).read_text()

    @FUZZ
    @given(data=hostile(text), detect=st.booleans())
    def check(data: str, detect: bool) -> None:
        items = read_all(lambda: read_elements(io.StringIO(data), None if detect else fmt))
        assert_refusals_name_record_and_place(items)
        for item in items:
            if isinstance(item, ElementSetRecord):
                assert all(math.isfinite(v) for v in (item.mean_motion, item.eccentricity, item.bstar))
                assert storable_text(item.object_name) and storable_text(item.object_id)

    check()


@pytest.mark.parametrize("fmt", ["udl-json", "csv", "tdm-kvn", "tdm-xml", "b3"])
def test_observation_readers_refuse_hostile_input_with_their_own_errors(fmt: str) -> None:
    text = observation_sample(fmt)

    @FUZZ
    @given(data=hostile(text), as_bytes=st.booleans(), detect=st.booleans())
    def check(data: str, as_bytes: bool, detect: bool) -> None:
        source: str | bytes = data.encode("utf-8", "surrogatepass") if as_bytes else data
        items = read_all(lambda: read_observations(source, None if detect else fmt))
        assert_refusals_name_record_and_place(items)
        for item in items:
            if isinstance(item, ObservationRecord):
                assert all(math.isfinite(getattr(item, name)) for name in item.measurement_fields())
                assert all(storable_text(getattr(item, name)) for name in STRING_FIELDS)
                assert set(item.measurement_fields()) <= set(FLOAT_FIELDS)

    check()


@FUZZ
@given(text=mutated("SECRET//REL TO USA, GBR, AUS") | mutated("(S//NF)") | st.text(max_size=60))
def test_the_marking_parser_refuses_hostile_text_with_a_marking_error(text: str) -> None:
    try:
        marking = Marking.parse(text)
    except MarkingError as exc:
        assert str(exc).strip()
        return
    assert Marking.parse(str(marking)) == marking  # what it accepts it can write back
