"""TDM keywords that change a value: applied as the standard defines, or the segment refused naming them.

Values follow the examples of CCSDS 503.0-B-2 (the radar example's range of 2808.2696 km with
its range correction) and the published time-scale offsets; UT1 is checked against skyfield.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import ObservationRecord, read_observations

C_KM_S = 299792.458


def header(version: str = "2.0") -> str:
    return f"CCSDS_TDM_VERS = {version}\nCREATION_DATE = 2024-03-01T12:00:00\nORIGINATOR = TEST\n"


BASE = "PARTICIPANT_1 = 30001\nPARTICIPANT_2 = 25544\nMODE = SEQUENTIAL\n"
RADAR = "TIME_SYSTEM = UTC\n" + BASE + "PATH = 1,2,1\nANGLE_TYPE = AZEL\nRANGE_UNITS = km\n"
T0 = "2024-03-01T10:15:00"
RADAR_DATA = f"ANGLE_1 = {T0} 123.4\nANGLE_2 = {T0} 34.5\nRANGE = {T0} 2808.2696\n"


def kvn(meta: str, data: str, version: str = "2.0") -> str:
    return f"{header(version)}META_START\n{meta}META_STOP\nDATA_START\n{data}DATA_STOP\n"


def read(text: str) -> list[ObservationRecord | RecordError]:
    return list(read_observations(text))


def one(text: str) -> ObservationRecord:
    (result,) = read(text)
    assert isinstance(result, ObservationRecord), result
    return result


def refused(text: str) -> list[RecordError]:
    results = read(text)
    assert results and all(isinstance(r, RecordError) for r in results), results
    return [r for r in results if isinstance(r, RecordError)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ------------------------------------------------------------------ corrections


def test_range_correction_not_yet_applied_is_added_to_the_range() -> None:
    # The standard: CORRECTION_RANGE is the correction that has been added or should be added.
    meta = RADAR + "CORRECTION_RANGE = -1.48\nCORRECTIONS_APPLIED = NO\n"
    record = one(kvn(meta, RADAR_DATA))
    assert record.range_km == pytest.approx(2806.7896, abs=1e-9)


def test_range_correction_already_applied_leaves_the_range() -> None:
    meta = RADAR + "CORRECTION_RANGE = -1.48\nCORRECTIONS_APPLIED = YES\n"
    assert one(kvn(meta, RADAR_DATA)).range_km == 2808.2696


def test_every_value_correction_is_applied() -> None:
    meta = (
        RADAR
        + "CORRECTION_ANGLE_1 = 0.25\nCORRECTION_ANGLE_2 = -0.5\nCORRECTION_DOPPLER = 0.001\n"
        + "CORRECTION_MAG = 0.3\nCORRECTION_RCS = 0.2\nCORRECTIONS_APPLIED = NO\n"
    )
    data = RADAR_DATA + f"DOPPLER_INSTANTANEOUS = {T0} -2.345\nMAG = {T0} 8.0\nRCS = {T0} 1.5\n"
    record = one(kvn(meta, data))
    assert record.azimuth_deg == pytest.approx(123.65)
    assert record.elevation_deg == pytest.approx(34.0)
    assert record.range_rate_km_s == pytest.approx(-2.344)
    assert record.magnitude == pytest.approx(8.3)
    assert record.rcs_m2 == pytest.approx(1.7)
    assert record.range_km == 2808.2696


def test_an_azimuth_corrected_past_north_wraps_into_range() -> None:
    meta = RADAR + "CORRECTION_ANGLE_1 = 0.5\nCORRECTIONS_APPLIED = NO\n"
    data = f"ANGLE_1 = {T0} 359.75\nANGLE_2 = {T0} 10.0\n"
    assert one(kvn(meta, data)).azimuth_deg == pytest.approx(0.25)


def test_corrections_without_corrections_applied_are_refused() -> None:
    errors = refused(kvn(RADAR + "CORRECTION_RANGE = -1.48\n", RADAR_DATA))
    assert errors[0].field == "CORRECTIONS_APPLIED"


@pytest.mark.parametrize("keyword", ["CORRECTION_ABERRATION_DIURNAL", "CORRECTION_ABERRATION_YEARLY"])
def test_an_aberration_correction_not_applied_is_refused(keyword: str) -> None:
    meta = RADAR + f"{keyword} = 0.0003\nCORRECTIONS_APPLIED = NO\n"
    (error,) = refused(kvn(meta, RADAR_DATA))
    assert error.field == keyword


# ------------------------------------------------------------------ timetags


def test_transmit_timetags_become_receive_times_with_the_round_trip() -> None:
    record = one(kvn(RADAR + "TIMETAG_REF = TRANSMIT\n", RADAR_DATA))
    expected = at(T0) + timedelta(seconds=2 * 2808.2696 / C_KM_S)
    assert abs((record.ob_time - expected).total_seconds()) < 2e-6


@pytest.mark.parametrize(("path", "legs"), [("2,1", 1), ("1,2", 0)])
def test_transmit_timetags_on_one_way_paths(path: str, legs: int) -> None:
    """2,1: the object transmits, the sensor receives one leg later; 1,2: the sensor transmits,
    so its timetag is already the sensor's time."""
    meta = RADAR.replace("PATH = 1,2,1", f"PATH = {path}") + "TIMETAG_REF = TRANSMIT\n"
    record = one(kvn(meta, RADAR_DATA))
    expected = at(T0) + timedelta(seconds=legs * 2808.2696 / C_KM_S)
    assert abs((record.ob_time - expected).total_seconds()) < 2e-6


def test_transmit_timetags_use_the_range_in_km_after_its_correction() -> None:
    meta = RADAR.replace("RANGE_UNITS = km", "RANGE_UNITS = s") + "TIMETAG_REF = TRANSMIT\n"
    assert one(kvn(meta, f"RANGE = {T0} 0.0082\n")).ob_time == at(T0) + timedelta(seconds=0.0082)
    meta = RADAR + "TIMETAG_REF = TRANSMIT\nCORRECTION_RANGE = -1.48\nCORRECTIONS_APPLIED = NO\n"
    record = one(kvn(meta, RADAR_DATA))
    expected = at(T0) + timedelta(seconds=2 * 2806.7896 / C_KM_S)  # 0.0187249 s, not 0.0187348
    assert abs((record.ob_time - expected).total_seconds()) < 2e-6


def test_transmit_timetags_without_a_range_are_refused() -> None:
    data = f"ANGLE_1 = {T0} 123.4\nANGLE_2 = {T0} 34.5\n"
    (error,) = refused(kvn(RADAR + "TIMETAG_REF = TRANSMIT\n", data))
    assert error.field == "TIMETAG_REF"


@pytest.mark.parametrize(("ref", "offset"), [("START", 5.0), ("MIDDLE", 0.0), ("END", -5.0)])
def test_integrated_doppler_is_stored_at_the_middle_of_its_interval(ref: str, offset: float) -> None:
    meta = RADAR + f"INTEGRATION_INTERVAL = 10.0\nINTEGRATION_REF = {ref}\n"
    record = one(kvn(meta, f"DOPPLER_INTEGRATED = {T0} -1.25\n"))
    assert record.ob_time == at(T0) + timedelta(seconds=offset)
    assert record.range_rate_km_s == -1.25


def test_integrated_doppler_timed_at_an_end_without_interval_is_refused() -> None:
    (error,) = refused(kvn(RADAR + "INTEGRATION_REF = END\n", f"DOPPLER_INTEGRATED = {T0} -1.25\n"))
    assert error.field == "INTEGRATION_INTERVAL"


# ------------------------------------------------------------------ range units and modulus


@pytest.mark.parametrize(("path", "km_per_s"), [("1,2,1", C_KM_S / 2), ("2,1", C_KM_S), ("1,2", C_KM_S)])
def test_range_in_seconds_is_light_time_along_the_path(path: str, km_per_s: float) -> None:
    meta = RADAR.replace("PATH = 1,2,1", f"PATH = {path}").replace("RANGE_UNITS = km", "RANGE_UNITS = s")
    record = one(kvn(meta, f"RANGE = {T0} 0.0082\n"))
    assert record.range_km == pytest.approx(0.0082 * km_per_s, rel=1e-12)


def test_range_correction_is_in_range_units() -> None:
    meta = RADAR.replace("RANGE_UNITS = km", "RANGE_UNITS = s")
    meta += "CORRECTION_RANGE = -0.0001\nCORRECTIONS_APPLIED = NO\n"
    record = one(kvn(meta, f"RANGE = {T0} 0.0082\n"))
    assert record.range_km == pytest.approx(0.0081 * C_KM_S / 2, rel=1e-12)


def test_range_units_ru_are_refused_clearly() -> None:
    (error,) = refused(kvn(RADAR.replace("RANGE_UNITS = km", "RANGE_UNITS = RU"), f"RANGE = {T0} 5.0\n"))
    assert error.field == "RANGE_UNITS" and "RU" in error.message


def test_an_ambiguous_range_modulus_is_refused() -> None:
    meta = RADAR + "RANGE_MODE = COHERENT\nRANGE_MODULUS = 2000.0\n"
    (error,) = refused(kvn(meta, RADAR_DATA))
    assert error.field == "RANGE_MODULUS"


def test_a_modulus_beyond_any_range_changes_nothing() -> None:
    meta = RADAR.replace("RANGE_UNITS = km", "RANGE_UNITS = s")
    meta += "RANGE_MODE = CONSTANT\nRANGE_MODULUS = 1.000000E+07\n"
    assert one(kvn(meta, f"RANGE = {T0} 0.0082\n")).range_km == pytest.approx(0.0041 * C_KM_S)


def test_degraded_data_are_refused() -> None:
    (error,) = refused(kvn(RADAR + "DATA_QUALITY = DEGRADED\n", RADAR_DATA))
    assert error.field == "DATA_QUALITY"


@pytest.mark.parametrize("quality", ["RAW", "VALIDATED"])
def test_raw_and_validated_data_are_read(quality: str) -> None:
    assert one(kvn(RADAR + f"DATA_QUALITY = {quality}\n", RADAR_DATA)).range_km == 2808.2696


@pytest.mark.parametrize("keyword", ["TRANSMIT_DELAY_1", "RECEIVE_DELAY_1"])
def test_a_signal_delay_of_the_sensor_with_range_data_is_refused(keyword: str) -> None:
    (error,) = refused(kvn(RADAR + f"{keyword} = 0.000077\n", RADAR_DATA))
    assert error.field == keyword


# ------------------------------------------------------------------ time systems


@pytest.mark.parametrize(
    ("scale", "label"),
    [("TAI", "2024-03-01T10:15:37"), ("GPS", "2024-03-01T10:15:18"), ("TT", "2024-03-01T10:16:09.184")],
)
def test_time_systems_are_converted_to_utc(scale: str, label: str) -> None:
    meta = RADAR.replace("TIME_SYSTEM = UTC", f"TIME_SYSTEM = {scale}")
    record = one(kvn(meta, f"RANGE = {label} 1000.0\n"))
    assert record.ob_time == at(T0)


def test_ut1_timetags_are_converted_with_earth_orientation() -> None:
    from skyfield.api import load

    ts = load.timescale()
    dut1 = float(ts.utc(2024, 3, 1, 10, 15, 0).dut1)
    label = (at(T0) + timedelta(seconds=dut1)).replace(tzinfo=None).isoformat(timespec="microseconds")
    record = one(kvn(RADAR.replace("TIME_SYSTEM = UTC", "TIME_SYSTEM = UT1"), f"RANGE = {label} 1000.0\n"))
    assert abs((record.ob_time - at(T0)).total_seconds()) < 2e-4


@pytest.mark.parametrize(("scale", "words"), [("TDB", "TDB"), ("XYZ", "XYZ")])
def test_a_time_system_not_converted_names_the_keyword_and_line(scale: str, words: str) -> None:
    meta = RADAR.replace("TIME_SYSTEM = UTC", f"TIME_SYSTEM = {scale}")
    (error,) = refused(kvn(meta, f"RANGE = {T0} 1000.0\n"))
    assert (error.field, error.line) == ("TIME_SYSTEM", 5)
    assert words in error.message


def test_a_refused_segment_holding_only_skipped_data_is_still_reported() -> None:
    meta = RADAR.replace("TIME_SYSTEM = UTC", "TIME_SYSTEM = XYZ")
    (error,) = refused(kvn(meta, f"TEMPERATURE = {T0} 290.0\n"))
    assert error.field == "TIME_SYSTEM"


def test_a_malformed_line_of_a_skipped_keyword_names_its_keyword_and_line() -> None:
    results = read(kvn(RADAR, f"TEMPERATURE = {T0} warm\n" + RADAR_DATA.replace(T0, "2024-03-01T10:15:01")))
    error, good = results
    assert isinstance(error, RecordError) and (error.field, error.line) == ("TEMPERATURE", 14)
    assert isinstance(good, ObservationRecord)


def test_gcrf_right_ascension_is_read_as_icrf() -> None:
    meta = "TIME_SYSTEM = UTC\n" + BASE + "PATH = 2,1\nANGLE_TYPE = RADEC\nREFERENCE_FRAME = GCRF\n"
    record = one(kvn(meta, f"ANGLE_1 = {T0} 10.0\nANGLE_2 = {T0} 20.0\n"))
    assert record.frame == "ICRF" and record.ra_deg == 10.0


# ------------------------------------------------------------------ keyword sets per version


def test_a_version_2_metadata_keyword_in_a_version_1_message_is_refused() -> None:
    (error,) = refused(kvn(RADAR + "TRACK_ID = T1\n", RADAR_DATA, version="1.0"))
    assert error.field == "TRACK_ID" and "2.0" in error.message


def test_a_version_2_data_keyword_in_a_version_1_message_is_refused() -> None:
    (error,) = refused(kvn(RADAR, f"MAG = {T0} 8.0\n", version="1.0"))
    assert error.field == "MAG" and "2.0" in error.message


def test_version_1_keywords_are_read_in_a_version_1_message() -> None:
    assert one(kvn(RADAR + "DATA_QUALITY = RAW\n", RADAR_DATA, version="1.0")).range_km == 2808.2696


def test_an_unknown_metadata_keyword_is_refused_naming_it() -> None:
    (error,) = refused(kvn(RADAR + "RANGE_SCALE = 2\n", RADAR_DATA))
    assert (error.field, error.line) == ("RANGE_SCALE", 12)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("TIMETAG_REF = LATER", "TIMETAG_REF"),
        ("INTEGRATION_INTERVAL = long", "INTEGRATION_INTERVAL"),
        ("START_TIME = yesterday", "START_TIME"),
        ("CORRECTIONS_APPLIED = MAYBE", "CORRECTIONS_APPLIED"),
    ],
)
def test_metadata_values_are_checked_for_syntax(line: str, field: str) -> None:
    (error,) = refused(kvn(RADAR + line + "\n", RADAR_DATA))
    assert error.field == field


def test_an_unknown_header_keyword_is_a_format_error_naming_its_line() -> None:
    text = kvn(RADAR, RADAR_DATA).replace("ORIGINATOR = TEST\n", "ORIGINATOR = TEST\nSENDER = X\n")
    with pytest.raises(FormatError, match=r"line 4.*SENDER"):
        read(text)


# ------------------------------------------------------------------ messages that are not a TDM


OMM_KVN = "CCSDS_OMM_VERS = 2.0\nCREATION_DATE = 2024-03-01T12:00:00\nORIGINATOR = TEST\n"


@pytest.mark.parametrize("fmt", [None, "tdm-kvn"])
def test_an_omm_sent_as_observations_is_not_a_tdm(fmt: str | None) -> None:
    with pytest.raises(FormatError, match="not a TDM"):
        list(read_observations(OMM_KVN, fmt))


@pytest.mark.parametrize("fmt", [None, "tdm-xml"])
def test_an_omm_xml_sent_as_observations_is_not_a_tdm(fmt: str | None) -> None:
    with pytest.raises(FormatError, match="not a TDM"):
        list(read_observations('<omm id="CCSDS_OMM_VERS" version="2.0"><header/></omm>', fmt))


def _tdm_xml(value: str) -> str:
    return (
        '<tdm id="CCSDS_TDM_VERS" version="2.0"><header><CREATION_DATE>2024-03-01T12:00:00</CREATION_DATE>'
        "<ORIGINATOR>T</ORIGINATOR></header><body><segment><metadata>"
        "<TIME_SYSTEM>UTC</TIME_SYSTEM><PARTICIPANT_1>30001</PARTICIPANT_1><PARTICIPANT_2>25544</PARTICIPANT_2>"
        "<MODE>SEQUENTIAL</MODE><PATH>1,2,1</PATH></metadata><data>"
        f"<observation><EPOCH>{T0}</EPOCH><RANGE>{value}</RANGE></observation>"
        "</data></segment></body></tdm>"
    )


OMM_XML = (
    '<omm id="CCSDS_OMM_VERS" version="2.0"><header/><body><segment><metadata>'
    "<OBJECT_NAME>X</OBJECT_NAME></metadata><data/></segment></body></omm>"
)


def test_a_combined_message_reads_its_tdms_and_names_what_it_skipped() -> None:
    text = f"<ndm>\n{OMM_XML}\n{_tdm_xml('1000.0')}\n{_tdm_xml('1001.0')}\n</ndm>"
    results = list(read_observations(text))
    skipped = [r for r in results if isinstance(r, RecordError)]
    ranges = [r.range_km for r in results if isinstance(r, ObservationRecord)]
    assert ranges == [1000.0, 1001.0]
    assert [(r.field, r.line) for r in skipped] == [("omm", 2)]
    assert "not a TDM" in skipped[0].message


def test_a_combined_message_without_a_tdm_is_refused_naming_its_children() -> None:
    with pytest.raises(FormatError, match="omm"):
        list(read_observations(f"<ndm>{OMM_XML}</ndm>"))
