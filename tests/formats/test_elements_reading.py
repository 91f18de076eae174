"""Reading element sets from hand-written samples of every supported format."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from catalog.formats.elements import FORMATS, detect_format, read_elements
from catalog.formats.errors import RecordError
from catalog.formats.records import ElementSetRecord
from catalog.formats.tle import checksum, from_alpha5, to_alpha5

SAMPLES = Path(__file__).parent / "samples"

EXPECTED_FORMAT = {
    "elements_3le.tle": "tle",
    "elements_plain.tle": "tle",
    "elements_bad.tle": "tle",
    "elements_omm.kvn": "omm-kvn",
    "elements_bad_omm.kvn": "omm-kvn",
    "elements_omm.xml": "omm-xml",
    "elements_omm_bare.xml": "omm-xml",
    "elements_bad_omm.xml": "omm-xml",
    "elements_spacetrack_omm.json": "omm-json",
    "elements_celestrak_omm.json": "omm-json",
    "elements_bad_omm.json": "omm-json",
    "elements_omm.csv": "omm-csv",
    "elements_bad_omm.csv": "omm-csv",
}
GOOD_SAMPLES = {
    "elements_3le.tle": [25544, 43013, 270123],
    "elements_plain.tle": [28163, 100000, 5],
    "elements_omm.kvn": [25544, 43013, 270123, 800012345],
    "elements_omm.xml": [25544, 43013, 270123, 800012345],
    "elements_omm_bare.xml": [270123],
    "elements_spacetrack_omm.json": [25544, 270123, 800012345],
    "elements_celestrak_omm.json": [43013, 100000, 800012345],
    "elements_omm.csv": [25544, 270123, 800012345],
}

ISS = ElementSetRecord(
    norad_cat_id=25544,
    object_name="ISS (ZARYA)",
    object_id="1998-067A",
    epoch=datetime(2024, 3, 15, 10, 26, 33, 288, tzinfo=UTC),
    mean_motion=15.49815395,
    eccentricity=0.0006703,
    inclination=51.6416,
    ra_of_asc_node=247.4627,
    arg_of_pericenter=130.536,
    mean_anomaly=325.0288,
    bstar=0.0003027,
    mean_motion_dot=0.00016717,
    mean_motion_ddot=0.0,
    element_set_no=999,
    rev_at_epoch=44120,
    ephemeris_type=0,
    classification_type="U",
    record=1,
)
ISS_SATCAT = {
    "object_type": "PAYLOAD",
    "country_code": "ISS",
    "launch_date": date(1998, 11, 20),
    "site": "TTMTR",
    "decay_date": None,
    "rcs_size": "LARGE",
}


def read_all(name: str) -> list[ElementSetRecord | RecordError]:
    with open(SAMPLES / name, encoding="utf-8") as stream:
        return list(read_elements(stream))


def records(name: str) -> list[ElementSetRecord]:
    items = read_all(name)
    assert all(isinstance(item, ElementSetRecord) for item in items), items
    return [item for item in items if isinstance(item, ElementSetRecord)]


@pytest.mark.parametrize("name", sorted(EXPECTED_FORMAT))
def test_detect_format_recognises_each_sample(name: str) -> None:
    head = (SAMPLES / name).read_text(encoding="utf-8")[:4096]
    assert detect_format(head) == EXPECTED_FORMAT[name]
    assert EXPECTED_FORMAT[name] in FORMATS


@pytest.mark.parametrize("name", sorted(GOOD_SAMPLES))
def test_every_good_sample_reads_all_its_objects_in_order(name: str) -> None:
    recs = records(name)
    assert [r.norad_cat_id for r in recs] == GOOD_SAMPLES[name]
    assert [r.record for r in recs] == list(range(1, len(recs) + 1))
    for rec in recs:
        assert rec.epoch.tzinfo is not None
        offset = rec.epoch.utcoffset()
        assert offset is not None and offset.total_seconds() == 0


@pytest.mark.parametrize("name", sorted(GOOD_SAMPLES))
def test_the_format_given_explicitly_reads_the_same_as_detection(name: str) -> None:
    with open(SAMPLES / name, encoding="utf-8") as stream:
        explicit = list(read_elements(stream, EXPECTED_FORMAT[name]))
    assert explicit == read_all(name)


def test_a_three_line_tle_gives_every_field_of_the_iss() -> None:
    assert records("elements_3le.tle")[0] == ISS


def test_the_name_line_is_optional_and_its_zero_prefix_is_dropped() -> None:
    recs = records("elements_3le.tle")
    assert [r.object_name for r in recs] == ["ISS (ZARYA)", "NOAA 20 (JPSS-1)", "OBJECT T0123 DEB"]
    assert all(r.object_name is None for r in records("elements_plain.tle"))


def test_alpha5_catalog_numbers_are_decoded() -> None:
    assert records("elements_3le.tle")[2].norad_cat_id == 270123
    assert records("elements_plain.tle")[1].norad_cat_id == 100000
    assert from_alpha5("A0000") == 100000
    assert from_alpha5("H9999") == 179999
    assert from_alpha5("J0000") == 180000  # I is skipped
    assert from_alpha5("P0000") == 230000  # O is skipped
    assert from_alpha5("Z9999") == 339999
    assert to_alpha5(270123) == "T0123"
    assert to_alpha5(25544) == "25544"
    with pytest.raises(ValueError):
        to_alpha5(340000)


def test_tle_implied_decimal_fields_and_two_digit_years_are_decoded() -> None:
    molniya, _, vanguard = records("elements_plain.tle")
    assert molniya.mean_motion_ddot == pytest.approx(0.12345e-9)
    assert molniya.eccentricity == pytest.approx(0.7123456)
    assert molniya.object_id == "2004-005A"
    assert vanguard.object_id == "1958-002B"
    assert vanguard.epoch == datetime(2024, 3, 12, 18, 0, tzinfo=UTC)
    assert records("elements_plain.tle")[1].bstar == pytest.approx(-0.12345e-4)


def test_the_checksum_counts_digits_and_minus_signs() -> None:
    line = "1 T0123U 23054AB  24074.98765432 -.00000145  00000-0  00000-0 0  1231"
    assert checksum(line) == 1
    assert checksum("1 " + "-" * 66 + "0") == 7  # 1 + 66 minus signs = 67


def test_the_iss_reads_the_same_from_every_omm_encoding() -> None:
    expected_with_satcat = ISS.__class__(**{**ISS.__dict__, **ISS_SATCAT})
    assert records("elements_omm.kvn")[0] == expected_with_satcat
    assert records("elements_omm.xml")[0] == expected_with_satcat
    assert records("elements_spacetrack_omm.json")[0] == expected_with_satcat
    assert records("elements_omm.csv")[0] == expected_with_satcat


def test_a_nine_digit_catalog_number_reads_from_every_omm_encoding() -> None:
    for name in (
        "elements_omm.kvn",
        "elements_omm.xml",
        "elements_spacetrack_omm.json",
        "elements_celestrak_omm.json",
        "elements_omm.csv",
    ):
        big = [r for r in records(name) if r.norad_cat_id == 800012345]
        assert len(big) == 1, name
        assert big[0].epoch == datetime(2024, 3, 15, 6, 0, 0, 123456, tzinfo=UTC)
        assert big[0].mean_motion == 2.00563214


def test_celestrak_json_numbers_and_space_track_json_strings_give_equal_records() -> None:
    celestrak = {r.norad_cat_id: r for r in records("elements_celestrak_omm.json")}
    space_track = {r.norad_cat_id: r for r in records("elements_spacetrack_omm.json")}
    a, b = celestrak[800012345], space_track[800012345]
    fields = ("epoch", "mean_motion", "eccentricity", "inclination", "bstar", "rev_at_epoch")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert b.object_type == "UNKNOWN" and b.rcs_size is None and b.decay_date is None


def test_space_track_csv_keeps_quoted_commas_in_names() -> None:
    assert records("elements_omm.csv")[2].object_name == "ANALYST OBJECT 800012345, PIECE B"


def test_kvn_units_in_brackets_and_day_of_year_epochs_are_understood() -> None:
    recs = records("elements_omm.kvn")
    assert recs[0].mean_motion == 15.49815395  # written "15.49815395 [rev/day]"
    assert recs[3].epoch == datetime(2024, 3, 15, 6, 0, 0, 123456, tzinfo=UTC)  # 2024-075T06:00:00.123456


def test_a_bare_omm_root_and_an_ndm_wrapper_read_the_same_object() -> None:
    bare = records("elements_omm_bare.xml")[0]
    wrapped = records("elements_omm.xml")[2]
    assert bare == wrapped.__class__(**{**wrapped.__dict__, "record": 1})


def test_namespace_prefixed_xml_is_read() -> None:
    text = (SAMPLES / "elements_omm_bare.xml").read_text(encoding="utf-8")
    text = text.replace("<omm xmlns:xsi", '<c:omm xmlns:c="urn:ccsds:schema:ndmxml" xmlns:xsi')
    text = text.replace("</omm>", "</c:omm>")
    recs = list(read_elements(io.StringIO(text)))
    assert [r.norad_cat_id for r in recs if isinstance(r, ElementSetRecord)] == [270123]


def test_an_iterable_of_lines_without_line_endings_reads_like_a_file() -> None:
    for name in ("elements_3le.tle", "elements_omm.kvn", "elements_omm.csv", "elements_omm.xml"):
        lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
        assert list(read_elements(lines)) == read_all(name), name


def test_a_single_json_object_and_a_byte_order_mark_are_accepted() -> None:
    obj = json.loads((SAMPLES / "elements_celestrak_omm.json").read_text(encoding="utf-8"))[0]
    recs = list(read_elements(io.StringIO("\ufeff" + json.dumps(obj))))
    assert len(recs) == 1 and isinstance(recs[0], ElementSetRecord)
    assert recs[0].norad_cat_id == 43013


def test_an_empty_json_array_gives_no_records() -> None:
    assert list(read_elements(io.StringIO("[ ]"), "omm-json")) == []


def test_epochs_keep_their_microseconds_and_finer_digits_are_rounded() -> None:
    from catalog.formats.omm import parse_epoch

    assert parse_epoch("2024-03-15T10:26:33.000288") == datetime(2024, 3, 15, 10, 26, 33, 288, tzinfo=UTC)
    assert parse_epoch("2024-03-15T10:26:33.1234567Z") == datetime(
        2024, 3, 15, 10, 26, 33, 123457, tzinfo=UTC
    )
    assert parse_epoch("2024-03-15T10:26:33") == datetime(2024, 3, 15, 10, 26, 33, tzinfo=UTC)
    assert parse_epoch("2024-366T00:00:00") == datetime(2024, 12, 31, tzinfo=UTC)


def _counting_lines(lines: list[str], seen: list[int]) -> Iterator[str]:
    for line in lines:
        seen[0] += 1
        yield line


@pytest.mark.parametrize("fmt", ["tle", "omm-json", "omm-xml", "omm-kvn", "omm-csv"])
def test_reading_streams_the_first_record_out_before_the_input_is_consumed(fmt: str) -> None:
    from catalog.formats.elements import write_elements

    one = records("elements_3le.tle")[0]
    out = io.StringIO()
    write_elements((one.__class__(**{**one.__dict__, "norad_cat_id": n}) for n in range(1, 3001)), fmt, out)
    lines = out.getvalue().splitlines(keepends=True)
    seen = [0]
    items = read_elements(_counting_lines(lines, seen), fmt)
    first = next(iter(items))
    assert isinstance(first, ElementSetRecord) and first.norad_cat_id == 1
    assert seen[0] < len(lines) / 10
    assert sum(1 for _ in items) == 2999
