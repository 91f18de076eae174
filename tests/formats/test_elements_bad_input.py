"""Bad element sets are reported precisely and the records after them still load."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.formats.elements import detect_format, read_elements, write_elements
from catalog.formats.elements_check import SGP4_EPOCH0, satrec_from_record, sgp4_problem
from catalog.formats.errors import FormatError, RecordError
from catalog.formats.omm import record_from_fields
from catalog.formats.records import ElementSetRecord
from catalog.formats.tle import parse_tle

SAMPLES = Path(__file__).parent / "samples"


def read_all(name: str) -> list[ElementSetRecord | RecordError]:
    with open(SAMPLES / name, encoding="utf-8") as stream:
        return list(read_elements(stream))


def summary(items: list[ElementSetRecord | RecordError]) -> list[object]:
    return [
        item.norad_cat_id if isinstance(item, ElementSetRecord) else (item.record, item.line, item.field)
        for item in items
    ]


def test_record_errors_read_as_a_sentence() -> None:
    error = RecordError(3, 7, "ECCENTRICITY", "not a number 'abc'")
    assert str(error) == "record 3 (line 7), field ECCENTRICITY: not a number 'abc'"
    assert str(RecordError(2, None, None, "broken")) == "record 2: broken"
    assert issubclass(FormatError, ValueError)


def test_a_bad_checksum_is_reported_with_its_line_and_the_rest_is_read() -> None:
    items = read_all("elements_bad.tle")
    assert summary(items) == [
        25544,
        (2, 6, "CHECKSUM"),
        (3, 9, "MEAN_MOTION"),
        (4, 12, "NORAD_CAT_ID"),
        270123,
    ]
    assert "checksum is 6, computed 5" in str(items[1])
    assert "decayed" in str(items[2])
    assert "differs from line 1" in str(items[3])


def test_bad_kvn_omms_are_each_reported_at_their_keyword_line() -> None:
    items = read_all("elements_bad_omm.kvn")
    assert summary(items) == [
        25544,
        (2, 44, "ECCENTRICITY"),
        (3, 58, "EPOCH"),
        (4, 92, "MEAN_MOTION"),
        (5, 117, "MEAN_MOTION"),
        (6, 144, "MEAN_MOTION"),
        270123,
    ]
    messages = [str(item) for item in items if isinstance(item, RecordError)]
    assert "out of range [0, 1): 1.2" in messages[0]
    assert messages[1].endswith("field EPOCH: missing")
    assert "not a number 'abc'" in messages[2]
    assert "sphere of influence" in messages[3]
    assert "SGP4 fails at epoch with error 6" in messages[4]


@pytest.mark.parametrize(
    ("name", "lines"),
    [("elements_bad_omm.json", [2, 3, 4, 5]), ("elements_bad_omm.csv", [3, 4, 5, 6])],
)
def test_bad_gp_records_in_json_and_csv_are_reported_and_the_rest_load(name: str, lines: list[int]) -> None:
    items = read_all(name)
    assert summary(items) == [
        25544,
        (2, lines[0], "ECCENTRICITY"),
        (3, lines[1], "EPOCH"),
        (4, lines[2], "MEAN_MOTION"),
        (5, lines[3], "MEAN_MOTION"),
        270123,
    ]


def test_bad_xml_omms_are_reported_at_the_element_line() -> None:
    assert summary(read_all("elements_bad_omm.xml")) == [
        25544,
        (2, 71, "ECCENTRICITY"),
        (3, 91, "EPOCH"),
        (4, 147, "MEAN_MOTION"),
        270123,
    ]


def test_xml_that_breaks_off_keeps_the_records_before_the_break() -> None:
    text = (SAMPLES / "elements_omm.xml").read_text(encoding="utf-8")
    cut = text.index("<OBJECT_NAME>OBJECT T0123 DEB")
    items = list(read_elements(io.StringIO(text[:cut] + "<OBJECT_NAME>oops</OBJ>")))
    assert [i.norad_cat_id for i in items if isinstance(i, ElementSetRecord)] == [25544, 43013]
    assert isinstance(items[-1], RecordError)
    assert items[-1].record == 3 and "not well-formed XML" in items[-1].message


def test_broken_json_after_good_objects_is_reported_as_the_next_record() -> None:
    text = (SAMPLES / "elements_celestrak_omm.json").read_text(encoding="utf-8")
    cut = text.index('"OBJECT_NAME": "ANALYST')
    items = list(read_elements(io.StringIO(text[:cut] + '"OBJECT_NAME": }]')))
    assert [i.norad_cat_id for i in items if isinstance(i, ElementSetRecord)] == [43013, 100000]
    assert isinstance(items[-1], RecordError) and items[-1].record == 3


def test_a_json_array_element_that_is_not_an_object_is_one_bad_record() -> None:
    text = (SAMPLES / "elements_celestrak_omm.json").read_text(encoding="utf-8")
    items = list(read_elements(io.StringIO(text.replace("[{", "[42, {", 1))))
    assert isinstance(items[0], RecordError) and items[0].record == 1
    assert [i.norad_cat_id for i in items[1:] if isinstance(i, ElementSetRecord)] == [
        43013,
        100000,
        800012345,
    ]


def test_a_csv_row_with_the_wrong_number_of_values_is_reported() -> None:
    text = (SAMPLES / "elements_omm.csv").read_text(encoding="utf-8").splitlines()
    text[2] = text[2] + ",EXTRA"
    items = list(read_elements(text))
    assert summary(items)[1] == (2, 3, None)
    assert "41 values where the header names 40 fields" in str(items[1])


def test_metadata_other_than_earth_teme_utc_sgp4_is_refused() -> None:
    text = (SAMPLES / "elements_omm.kvn").read_text(encoding="utf-8")
    items = list(read_elements(io.StringIO(text.replace("REF_FRAME = TEME", "REF_FRAME = GCRF", 1))))
    assert isinstance(items[0], RecordError) and items[0].field == "REF_FRAME"
    assert items[0].line == 8
    assert all(isinstance(i, ElementSetRecord) for i in items[1:])


def test_a_repeated_keyword_shows_a_missing_kvn_header() -> None:
    text = (SAMPLES / "elements_omm.kvn").read_text(encoding="utf-8")
    text = text.replace("\nCCSDS_OMM_VERS = 2.0\n", "\n", 1)
    items = list(read_elements(io.StringIO(text)))
    assert isinstance(items[0], RecordError)
    assert items[0].field == "CREATION_DATE" and "repeated" in items[0].message
    assert [i.norad_cat_id for i in items[1:] if isinstance(i, ElementSetRecord)] == [270123, 800012345]


def test_tle_line_structure_faults_are_reported_and_reading_resumes() -> None:
    good = (SAMPLES / "elements_plain.tle").read_text(encoding="utf-8").splitlines()
    lines = [good[0], good[2], good[3], good[1], good[4], good[5][:60]]
    items = list(read_elements(lines, "tle"))
    assert summary(items) == [(1, 1, None), 100000, (3, 4, None), (4, 6, None)]
    assert "not followed by a line 2" in str(items[0])
    assert "line 2 without a line 1" in str(items[2])
    assert "60 columns, expected 69" in str(items[3])


def test_a_non_numeric_tle_field_names_its_field() -> None:
    line1 = "1 25544U 98067A   24075.43510417  .00016717  00000-0  30270-3 0  9990"
    line2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815395441200"
    bad2 = line2[:8] + " 51.6x16" + line2[16:68]
    from catalog.formats.tle import checksum

    bad2 += str(checksum(bad2))
    error = parse_tle(None, line1, bad2, record=4, first_line=10)
    assert error == RecordError(4, 11, "INCLINATION", "not a number '51.6x16'")


def _good_fields() -> dict[str, object]:
    return {
        "EPOCH": "2023-12-03T12:00:00.000000",
        "MEAN_MOTION": 15.0,
        "ECCENTRICITY": 0.001,
        "INCLINATION": 51.6,
        "RA_OF_ASC_NODE": 10.0,
        "ARG_OF_PERICENTER": 20.0,
        "MEAN_ANOMALY": 30.0,
        "NORAD_CAT_ID": 99999,
        "BSTAR": 1e-4,
        "MEAN_MOTION_DOT": 0,
        "MEAN_MOTION_DDOT": 0,
    }


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"ECCENTRICITY": 1.0}, "ECCENTRICITY", "out of range [0, 1)"),
        ({"ECCENTRICITY": -0.1}, "ECCENTRICITY", "out of range [0, 1)"),
        ({"INCLINATION": 180.5}, "INCLINATION", "out of range [0, 180]"),
        ({"MEAN_ANOMALY": 361}, "MEAN_ANOMALY", "out of range [0, 360]"),
        ({"RA_OF_ASC_NODE": -1}, "RA_OF_ASC_NODE", "out of range [0, 360]"),
        ({"MEAN_MOTION": 0}, "MEAN_MOTION", "must be positive"),
        ({"MEAN_MOTION": "nan"}, "MEAN_MOTION", "not a finite number"),
        ({"MEAN_MOTION": True}, "MEAN_MOTION", "not a number"),
        ({"NORAD_CAT_ID": "25544.5"}, "NORAD_CAT_ID", "not an integer"),
        ({"NORAD_CAT_ID": 0}, "NORAD_CAT_ID", "out of range"),
        ({"NORAD_CAT_ID": 1_000_000_000}, "NORAD_CAT_ID", "out of range"),
        ({"BSTAR": None}, "BSTAR", "missing"),
        ({"EPOCH": "2024-13-01T00:00:00"}, "EPOCH", "month must be in 1..12"),
        ({"EPOCH": "yesterday"}, "EPOCH", "not a UTC epoch"),
        ({"CLASSIFICATION_TYPE": "X"}, "CLASSIFICATION_TYPE", "not U, C or S"),
        ({"LAUNCH_DATE": "1998-02-30"}, "LAUNCH_DATE", "not a date"),
        ({"MEAN_ELEMENT_THEORY": "SGP4-XP"}, "MEAN_ELEMENT_THEORY", "must be SGP4"),
    ],
)
def test_each_unphysical_or_unreadable_value_is_named(
    change: dict[str, object], field: str, text: str
) -> None:
    assert isinstance(record_from_fields(_good_fields(), 1), ElementSetRecord)
    result = record_from_fields({**_good_fields(), **change}, 5, 12)
    assert isinstance(result, RecordError)
    assert (result.record, result.line, result.field) == (5, 12, field)
    assert text in result.message


def test_an_orbit_sgp4_cannot_initialise_is_refused_with_its_error_code() -> None:
    # A very slow, very eccentric orbit: SGP4's deep-space terms drive the
    # perturbed eccentricity out of range (error 3) although the inputs are in range.
    epoch = (SGP4_EPOCH0 + timedelta(days=27000.5)).strftime("%Y-%m-%dT%H:%M:%S.%f")
    angle = math.degrees(1.0)
    fields = {
        **_good_fields(),
        "EPOCH": epoch,
        "MEAN_MOTION": 0.012,
        "ECCENTRICITY": 0.98,
        "INCLINATION": angle,
        "RA_OF_ASC_NODE": angle,
        "ARG_OF_PERICENTER": angle,
        "MEAN_ANOMALY": angle,
    }
    result = record_from_fields(fields, 1)
    assert isinstance(result, RecordError)
    assert "SGP4 fails at epoch with error 3" in result.message


def test_a_decayed_orbit_is_refused_by_sgp4() -> None:
    result = record_from_fields({**_good_fields(), "MEAN_MOTION": 18.0, "ECCENTRICITY": 0.0001}, 1)
    assert isinstance(result, RecordError) and result.field == "MEAN_MOTION"
    assert "error 6" in result.message


def test_sgp4_accepts_catalog_numbers_beyond_alpha5_through_a_placeholder() -> None:
    rec = record_from_fields({**_good_fields(), "NORAD_CAT_ID": 800012345}, 1)
    assert isinstance(rec, ElementSetRecord)
    sat = satrec_from_record(rec)
    assert sat.satnum == 0 and sgp4_problem(sat) is None


def test_unknown_or_foreign_files_raise_format_error_at_once() -> None:
    with pytest.raises(FormatError, match="unknown element-set format"):
        read_elements(io.StringIO("hello\nworld\n"))
    with pytest.raises(FormatError, match="CCSDS_TDM_VERS"):
        read_elements(io.StringIO("CCSDS_TDM_VERS = 2.0\n"))
    with pytest.raises(FormatError, match="root <tdm>"):
        read_elements(io.StringIO('<?xml version="1.0"?>\n<tdm id="CCSDS_TDM_VERS"/>'))
    with pytest.raises(FormatError, match="empty"):
        read_elements(io.StringIO("  \n"))
    with pytest.raises(FormatError, match="unknown element-set format 'b3'"):
        read_elements(io.StringIO("x"), "b3")
    with pytest.raises(FormatError, match="unknown element-set format"):
        write_elements([], "omm-yaml", io.StringIO())


def test_detect_format_refuses_a_doctype_and_broken_json_raises_format_error() -> None:
    with pytest.raises(FormatError, match="DOCTYPE"):
        detect_format('<?xml version="1.0"?><!DOCTYPE omm [<!ENTITY a "b">]><omm/>')
    with pytest.raises(FormatError, match="DOCTYPE"):
        list(read_elements(io.StringIO('<!DOCTYPE omm [<!ENTITY a "b">]><omm>&a;</omm>'), "omm-xml"))
    with pytest.raises(FormatError, match="not valid JSON"):
        list(read_elements(io.StringIO("[{]"), "omm-json"))


def test_a_tle_that_does_not_fit_is_reported_and_the_others_are_written() -> None:
    base = ElementSetRecord(
        norad_cat_id=25544,
        object_name=None,
        object_id=None,
        epoch=datetime(2024, 1, 1, tzinfo=UTC),
        mean_motion=15.5,
        eccentricity=0.001,
        inclination=51.6,
        ra_of_asc_node=10.0,
        arg_of_pericenter=20.0,
        mean_anomaly=30.0,
        bstar=1e-4,
        mean_motion_dot=0.0,
        mean_motion_ddot=0.0,
        element_set_no=999,
        rev_at_epoch=1,
        ephemeris_type=0,
        classification_type="U",
    )
    recs = [
        base,
        replace(base, norad_cat_id=340000),
        replace(base, norad_cat_id=339999),
        replace(base, epoch=datetime(2060, 1, 1, tzinfo=UTC)),
        replace(base, bstar=1e12),
    ]
    out = io.StringIO()
    errors = write_elements(recs, "tle", out)
    assert [(e.record, e.field) for e in errors] == [(2, "NORAD_CAT_ID"), (4, "EPOCH"), (5, "BSTAR")]
    back = [r for r in read_elements(io.StringIO(out.getvalue())) if isinstance(r, ElementSetRecord)]
    assert [r.norad_cat_id for r in back] == [25544, 339999]
