"""B3 observation cards, built column by column from the published layout (sources in
docs/formats.md), read, written and read back; and published example cards read to the values
their columns give by hand."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from catalog.formats.b3 import B3Card, B3Error, format_card, parse_card
from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import (
    ObservationRecord,
    detect_format,
    read_observations,
    write_observations,
)


def card(fields: dict[tuple[int, int], str], obs_type: int, cls: str = "U") -> str:
    """An 80-column card with ``fields`` at their 1-based inclusive columns."""
    cols = [" "] * 80
    head = {(1, 1): cls, (2, 6): "25544", (7, 9): "341", (10, 11): "24", (12, 14): "075"}
    head[(15, 23)] = "101530250"  # 10:15:30.250
    for (first, last), text in {**head, **fields, (75, 75): str(obs_type)}.items():
        assert len(text) == last - first + 1, (first, last, text)
        cols[first - 1 : last] = text
    return "".join(cols)


T = datetime(2024, 3, 15, 10, 15, 30, 250000, tzinfo=UTC)
AZEL = {(24, 29): "345678", (31, 37): "1234567"}  # el 34.5678, az 123.4567
RANGE = {(39, 45): "1234560", (46, 46): "2"}  # 12.34560 km times 10^2
RATE = {(48, 54): "-234568"}  # -2.34568 km/s (the sign in place of the leading zero)
RADEC = {(24, 29): "}56543", (31, 37): "1840300"}  # dec -5.6543, ra 18h40m30.0s
EFG = {(47, 55): "042164123", (56, 64): "}04000005", (65, 73): "000012345"}


@pytest.mark.parametrize(
    ("obs_type", "fields", "expected"),
    [
        (0, RATE, {"range_rate_km_s": -2.34568}),
        (1, AZEL, {"azimuth_deg": 123.4567, "elevation_deg": 34.5678}),
        (2, {**AZEL, **RANGE}, {"azimuth_deg": 123.4567, "range_km": 1234.56}),
        (3, {**AZEL, **RANGE, **RATE}, {"range_km": 1234.56, "range_rate_km_s": -2.34568}),
        (4, {**AZEL, **RANGE, **RATE, (55, 61): "0012345"}, {"range_km": 1234.56}),
        (5, RADEC, {"azimuth_deg": (18 + 40 / 60 + 30.0 / 3600) * 15, "elevation_deg": -5.6543}),
        (6, RANGE, {"range_km": 1234.56}),
        (8, {**AZEL, **EFG}, {"azimuth_deg": 123.4567, "sensor_efg_km": (42164.123, -4000.005, 12.345)}),
        (
            9,
            {**RADEC, **RANGE, **EFG},
            {"range_km": 1234.56, "sensor_efg_km": (42164.123, -4000.005, 12.345)},
        ),
    ],
)
def test_every_published_type_is_read_and_written_back_column_for_column(
    obs_type: int, fields: dict[tuple[int, int], str], expected: dict[str, object]
) -> None:
    line = card(fields, obs_type)
    parsed = parse_card(line)
    assert (parsed.obs_type, parsed.sat_no, parsed.sensor, parsed.time) == (obs_type, 25544, 341, T)
    for name, value in expected.items():
        got = getattr(parsed, name)
        assert got == pytest.approx(value, abs=1e-9), name
    if obs_type != 4:  # type 4's rates (columns 54-73) are not kept
        assert format_card(parsed) == line.rstrip()
    assert parse_card(format_card(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "value"), [("}00010", -0.001), ("J00000", -10.0), ("R99999", -99.9999), (" 12345", 1.2345)]
)
def test_overpunched_signs_on_the_leading_digit(text: str, value: float) -> None:
    parsed = parse_card(card({(24, 29): text, (31, 37): "0000000"}, 1))
    assert parsed.elevation_deg == pytest.approx(value)


def test_records_from_cards_and_their_frames() -> None:
    lines = [
        card({**AZEL, **RANGE, **RATE}, 3),
        card({**RADEC, (76, 76): "2"}, 5),
        card(RADEC, 5),
    ]
    radar, j2000, of_date = list(read_observations("\n".join(lines) + "\n"))
    assert isinstance(radar, ObservationRecord) and radar.sensor_ref == "341" and radar.sat_no == 25544
    assert (radar.azimuth_deg, radar.elevation_deg, radar.range_km) == (123.4567, 34.5678, 1234.56)
    assert radar.range_rate_km_s == pytest.approx(-2.34568) and radar.ob_time == T
    assert isinstance(j2000, ObservationRecord) and j2000.frame == "J2000"
    assert j2000.ra_deg == pytest.approx(280.125) and j2000.declination_deg == -5.6543
    assert isinstance(of_date, ObservationRecord) and of_date.frame == "TEME"


def test_records_survive_a_b3_round_trip() -> None:
    def obs(index: int, values: dict[str, object], sensor: str = "341", sat: int = 5) -> ObservationRecord:
        return ObservationRecord(index=index, sensor_ref=sensor, sat_no=sat, ob_time=T, **values)  # type: ignore[arg-type]

    radar: dict[str, object] = {
        "azimuth_deg": 359.9999,
        "elevation_deg": -0.5,
        "range_km": 150_000.0,
        "range_rate_km_s": 7.12345,
    }
    optical: dict[str, object] = {"ra_deg": 0.025, "declination_deg": -89.9999, "frame": "TEME"}
    records = [
        obs(1, radar, sat=25544),
        obs(2, optical, "7", 100_000),
        obs(3, {"range_km": 42000.01}),
        obs(4, {"range_rate_km_s": -0.00001}),
    ]
    out = io.StringIO()
    assert write_observations(records, "b3", out) == 4
    assert detect_format(out.getvalue()) == "b3"
    back = list(read_observations(out.getvalue(), "b3"))
    assert [r.measurement_fields() for r in back] == [  # type: ignore[union-attr]
        {"azimuth_deg": 359.9999, "elevation_deg": -0.5, "range_km": 150_000.0, "range_rate_km_s": 7.12345},
        {"ra_deg": pytest.approx(0.025), "declination_deg": -89.9999},
        {"range_km": 42000.01},
        {"range_rate_km_s": -0.00001},
    ]
    assert [(r.sat_no, r.sensor_ref, r.frame) for r in back] == [  # type: ignore[union-attr]
        (25544, "341", None),
        (100_000, "7", "TEME"),
        (5, "341", None),
        (5, "341", None),
    ]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (card(AZEL, 7), "OBS_TYPE"),
        (card(AZEL, 1).replace("101530250", "106130250"), "TIME"),
        (card({(24, 29): "34x678", (31, 37): "1234567"}, 1), "ELEVATION"),
        (card({**RADEC, (76, 76): "3"}, 5), "EQUINOX"),
        (card({**AZEL, **EFG}, 8), "OBS_TYPE"),
        (card(AZEL, 1, cls="S"), "CLASSIFICATION"),
    ],
)
def test_cards_that_are_refused_name_their_field(line: str, field: str) -> None:
    good = card(AZEL, 1)
    first, bad, last = list(read_observations(f"{good}\n{line}\n{good}\n", "b3"))
    assert isinstance(first, ObservationRecord) and isinstance(last, ObservationRecord)
    assert isinstance(bad, RecordError) and (bad.record, bad.line, bad.field) == (2, 2, field)


def test_the_transmission_form_is_refused_clearly() -> None:
    with pytest.raises(FormatError, match="transmission"):
        list(read_observations("))" + card(AZEL, 1)[2:] + "\n"))


def test_a_record_b3_cannot_carry_is_named() -> None:
    record = ObservationRecord(index=9, sensor_ref="9102", sat_no=5, ob_time=T, range_km=1.0)
    with pytest.raises(FormatError, match=r"record 9.*SENSOR"):
        write_observations([record], "b3", io.StringIO())
    with pytest.raises(B3Error):
        format_card(B3Card(obs_type=2, sat_no=5, sensor=1, time=T, azimuth_deg=1.0, elevation_deg=1.0))


# Published example cards (a ground radar's and two telescopes' cards of LAGEOS 1 and of 59955),
# 90 columns: the 80-column card, then the association status and the site's and SPADOC's
# satellite tags, which are not read.
RADAR_1 = "U0882033522211221047583264636 2559542 80473802 0055762                    3 3  10882008820"
RADAR_2 = "U0882033522211221059283263631 2564961 80540332 0057950                    3 4  10882008820"
RADAR_FALLING = "U0882033522212070800753208279 0343123 84782152 -284798                    3 3  10882008820"
OPTICAL_OF_DATE = "U0882023322212071943323238174 1453511                                     5 3  10882008820"
OPTICAL_J2000 = "U5995528425346012039756K60719 2109133                                     523  15995559955"
OPTICAL_J2000_2 = "U5995528425346012124572J97794 2146518                                     524  15995559955"


def test_published_radar_cards_read_to_their_columns() -> None:
    first = parse_card(RADAR_1)
    # 2022 day 211 is 30 July; 22:10:47.583
    assert (first.obs_type, first.sat_no, first.sensor) == (3, 8820, 335)
    assert first.time == datetime(2022, 7, 30, 22, 10, 47, 583000, tzinfo=UTC)
    assert first.elevation_deg == pytest.approx(26.4636) and first.azimuth_deg == pytest.approx(255.9542)
    assert first.range_km == pytest.approx(8047.380, abs=1e-9)  # 80.47380 x 10^2
    assert first.range_rate_km_s == pytest.approx(0.55762, abs=1e-12)
    falling = parse_card(RADAR_FALLING)
    assert falling.range_km == pytest.approx(8478.215, abs=1e-9)
    assert falling.range_rate_km_s == pytest.approx(-2.84798, abs=1e-12)  # '-' on the leading digit


def test_published_ranges_change_as_their_range_rates_say() -> None:
    """The range's decimals are the ones its range-rate integrates to (LAGEOS 1, 5900 km up,
    cannot be 80 000 km away: the range is RR.RRRRR times ten to column 46)."""
    first, second = parse_card(RADAR_1), parse_card(RADAR_2)
    assert first.range_km is not None and second.range_km is not None
    seconds = (second.time - first.time).total_seconds()
    assert seconds == pytest.approx(11.7)
    mean_rate = (second.range_km - first.range_km) / seconds  # (8054.0332 - 8047.3800) / 11.7
    assert mean_rate == pytest.approx(0.56865, abs=1e-4)
    assert first.range_rate_km_s < mean_rate < second.range_rate_km_s  # type: ignore[operator]


def test_published_optical_cards_read_with_their_equinox() -> None:
    j2000 = parse_card(OPTICAL_J2000)
    # 2025 day 346 is 12 December; declination 'K' overpunches -2; RA 21h09m13.3s
    assert j2000.time == datetime(2025, 12, 12, 1, 20, 39, 756000, tzinfo=UTC)
    assert j2000.elevation_deg == pytest.approx(-26.0719)
    assert j2000.azimuth_deg == pytest.approx((21 + 9 / 60 + 13.3 / 3600) * 15)
    assert parse_card(OPTICAL_J2000_2).elevation_deg == pytest.approx(-19.7794)
    records = list(read_observations("\n".join([OPTICAL_OF_DATE, OPTICAL_J2000, RADAR_1]) + "\n"))
    of_date, j2000_record, radar = records
    assert isinstance(of_date, ObservationRecord) and isinstance(j2000_record, ObservationRecord)
    assert (of_date.frame, j2000_record.frame) == ("TEME", "J2000")
    assert of_date.declination_deg == pytest.approx(23.8174)
    assert of_date.ra_deg == pytest.approx((14 + 53 / 60 + 51.1 / 3600) * 15)
    assert isinstance(radar, ObservationRecord) and radar.range_km == pytest.approx(8047.38)


def test_a_published_card_is_written_back_to_its_80_columns() -> None:
    assert format_card(parse_card(RADAR_FALLING)) == RADAR_FALLING[:76].rstrip()
    assert format_card(parse_card(OPTICAL_J2000)) == OPTICAL_J2000[:76].rstrip()
