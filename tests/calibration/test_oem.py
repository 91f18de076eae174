"""OEM reading (ccsds-ndm-py underneath) and interpolation against skyfield's truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from catalog.astro.ephemeris import EphemerisError, Segment
from catalog.astro.orientation import earth_orientation
from catalog.formats.oem import OemError, catalog_number_of, parse_epoch, read_oem
from tests.calibration import oem_writer
from tests.calibration.truth import grid, states

SAMPLES = Path(__file__).parent / "samples"


def test_the_standards_kvn_example_is_read_as_written_and_its_mars_centre_refused() -> None:
    import ccsds_ndm

    text = (SAMPLES / "standard_example_kvn.oem").read_text()
    message = ccsds_ndm.Oem.from_str(text)
    meta = message.segments[0].metadata
    assert (meta.object_name, meta.object_id, meta.ref_frame) == (
        "MARS GLOBAL SURVEYOR",
        "1996-062A",
        "EME2000",
    )
    assert (meta.interpolation, meta.interpolation_degree, meta.useable_start_time) == (
        "HERMITE",
        7,
        "1996-12-18T12:10:00.331",
    )
    data = message.segments[0].data
    assert data.state_vector_numpy.shape == (4, 9)  # optional accelerations kept
    assert data.state_vector_numpy[0, 0] == 2789.6 and data.state_vector_numpy[3, 8] == 0.0
    with pytest.raises(OemError, match="segment 1: CENTER_NAME MARS BARYCENTER"):
        read_oem(text, "example")


def test_the_standards_xml_example_reads_with_frame_and_time_system() -> None:
    text = (SAMPLES / "standard_example.xml").read_text().replace("MARS BARYCENTER", "EARTH")
    oem = read_oem(text, "example.xml")
    segment = oem.ephemeris.segments[0]
    assert segment.frame == "TEME" and oem.time_systems == ("GPS",)
    # GPS 2004-10-10T12:00:00 is UTC 11:59:47 (TAI - UTC 32 s, TAI - GPS 19 s).
    assert segment.epochs[0] == np.datetime64("2004-10-10T11:59:47", "us")


def test_day_of_year_epochs() -> None:
    assert parse_epoch("1996-353T12:00:00.331", "x") == np.datetime64("1996-12-18T12:00:00.331", "us")
    assert parse_epoch("2024-060T00:00:00Z", "x") == np.datetime64("2024-02-29T00:00:00", "us")
    with pytest.raises(OemError, match="state 3"):
        parse_epoch("18/12/1996", "state 3")


def test_a_broken_file_says_what_the_library_refused() -> None:
    with pytest.raises(OemError, match="not a readable OEM"):
        read_oem("CCSDS_OEM_VERS = 2.0\nMETA_START\n", "broken.oem")


def test_catalog_number_from_object_id_or_name() -> None:
    utc = grid(60.0, 0.2)
    text = oem_writer.kvn("CALSAT", "39000", "TEME", "UTC", utc, states("TEME", utc))
    assert catalog_number_of(read_oem(text).ephemeris) == 39000
    text = oem_writer.kvn("NORAD 39000", "2013-001A", "TEME", "UTC", utc, states("TEME", utc))
    assert catalog_number_of(read_oem(text).ephemeris) == 39000


@pytest.mark.parametrize(
    ("frame", "scale", "writer", "tolerance_km", "tolerance_km_s"),
    [
        ("TEME", "UTC", oem_writer.kvn, 1e-6, 1e-8),
        ("ITRF", "TAI", oem_writer.kvn, 1e-5, 2e-6),  # 0.8 mm/s: rotation-rate conventions
        ("EME2000", "TT", oem_writer.kvn, 0.004, 6e-6),  # teme_to_j2000's 0.09" at 7,000 km
        # Hermite degree 5 (three states at 60 s): velocity as the derivative, 16 mm/s.
        ("GCRF", "GPS", oem_writer.xml, 0.004, 3e-5),
        ("ICRF", "UTC", oem_writer.xml, 0.004, 3e-5),
    ],
)
def test_interpolated_truth_matches_skyfield_in_teme(
    frame, scale, writer, tolerance_km, tolerance_km_s
) -> None:
    nodes = grid(60.0, 2.0)
    oem = read_oem(writer("CALSAT", "39000", frame, scale, nodes, states(frame, nodes)), f"{frame}.oem")
    queries = nodes[0] + (np.arange(7.0, 7000.0, 37.0) * 1e6).astype("timedelta64[us]")
    r, v = oem.ephemeris.teme_states(queries, earth_orientation(queries))
    ref = states("TEME", queries)
    assert np.abs(r - ref[:, :3]).max() < tolerance_km
    assert np.abs(v - ref[:, 3:]).max() < tolerance_km_s


def test_hermite_uses_the_velocities_lagrange_does_not() -> None:
    nodes = grid(120.0, 1.0)
    truth = states("TEME", nodes)
    lagrange = Segment(nodes, truth[:, :3], truth[:, 3:], "TEME", "LAGRANGE", 3)
    hermite = Segment(nodes, truth[:, :3], truth[:, 3:], "TEME", "HERMITE", 3)
    queries = nodes[0] + (np.arange(30.0, 3500.0, 61.0) * 1e6).astype("timedelta64[us]")
    ref = states("TEME", queries)
    err_l = np.abs(lagrange.interpolate(queries)[0] - ref[:, :3]).max()
    err_h = np.abs(hermite.interpolate(queries)[0] - ref[:, :3]).max()
    # Cubic Hermite from 2 states and velocities (5 m) beats cubic Lagrange from 4 states (74 m).
    assert err_h < 0.01 < 0.05 < err_l < 0.1
    wrong_v = Segment(nodes, truth[:, :3], truth[:, 3:] * 0.0, "TEME", "HERMITE", 3)
    assert np.abs(wrong_v.interpolate(queries)[0] - ref[:, :3]).max() > 1.0


def test_extrapolation_is_refused() -> None:
    nodes = grid(60.0, 0.5)
    truth = states("TEME", nodes)
    segment = Segment(nodes, truth[:, :3], truth[:, 3:], "TEME", "LAGRANGE", 5)
    with pytest.raises(EphemerisError, match="not extrapolated"):
        segment.interpolate(np.array([nodes[-1] + np.timedelta64(1, "s")]))


def test_a_degree_the_states_cannot_carry_is_refused() -> None:
    nodes = grid(60.0, 0.05)
    truth = states("TEME", nodes)
    with pytest.raises(EphemerisError, match="INTERPOLATION_DEGREE 9"):
        Segment(nodes, truth[:, :3], truth[:, 3:], "TEME", "LAGRANGE", 9)
