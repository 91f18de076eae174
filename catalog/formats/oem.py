"""CCSDS Orbit Ephemeris Message (OEM) reader, KVN and XML, through ``ccsds-ndm-py``.

The library parses and validates the message; this module turns each segment into a
:class:`catalog.astro.ephemeris.Segment`: epochs (calendar or day-of-year form) converted from
the segment's TIME_SYSTEM (UTC, TAI, TT, GPS) to UTC through the leap-second table, the frame
and the interpolation method and degree as stated. What the library refuses, or what this
portal cannot use (another centre than the Earth, an unknown frame or time system), is a
:class:`OemError` naming the segment and keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ccsds_ndm
import numpy as np

from catalog.astro.ephemeris import FRAMES, Ephemeris, EphemerisError, Segment
from catalog.astro.timescales import SCALES, TimeScaleError, to_utc

_DOY = re.compile(r"^(\d{4})-(\d{3})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)Z?$")
_CAL = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)Z?$")
EARTH_CENTRES = frozenset({"EARTH"})
DEFAULT_DEGREE = 7


class OemError(ValueError):
    """An OEM that cannot be read or used, with where and why."""


@dataclass(frozen=True)
class OemFile:
    ephemeris: Ephemeris
    time_systems: tuple[str, ...]


def parse_epoch(text: str, where: str) -> np.datetime64:
    """A CCSDS ASCII time (``YYYY-MM-DDThh:mm:ss.d`` or ``YYYY-DDDThh:mm:ss.d``), microseconds."""
    value = text.strip()
    cal = _CAL.match(value)
    if cal:
        return np.datetime64(cal.group(1)[:26], "us")
    doy = _DOY.match(value)
    if doy:
        year, day, clock = int(doy.group(1)), int(doy.group(2)), doy.group(3)
        start = np.datetime64(f"{year:04d}-01-01T{clock[:15]}", "us")
        return start + np.timedelta64(day - 1, "D")
    raise OemError(f"{where}: {value!r} is not a CCSDS time (YYYY-MM-DDThh:mm:ss or YYYY-DDDThh:mm:ss)")


def _optional_epoch(text: str | None, where: str, scale: str) -> np.datetime64 | None:
    if not text:
        return None
    return to_utc(np.array([parse_epoch(text, where)]), scale)[0]


def read_oem(text: str, source: str = "OEM") -> OemFile:
    """Read an OEM (KVN or XML, detected by the library) into an :class:`Ephemeris`."""
    try:
        message = ccsds_ndm.Oem.from_str(text)
    except Exception as exc:  # the library raises its own NdmError family (and ValueError)
        raise OemError(f"{source}: not a readable OEM ({type(exc).__name__}: {exc})") from exc
    segments: list[Segment] = []
    names: set[tuple[str, str]] = set()
    scales: list[str] = []
    for number, segment in enumerate(message.segments, start=1):
        where = f"{source} segment {number}"
        meta = segment.metadata
        centre = str(meta.center_name or "").strip().upper()
        if centre not in EARTH_CENTRES:
            raise OemError(
                f"{where}: CENTER_NAME {centre or '(empty)'}: only Earth-centred ephemerides are used"
            )
        frame = str(meta.ref_frame or "").strip().upper()
        if frame not in FRAMES:
            raise OemError(f"{where}: REF_FRAME {frame}: expected one of {', '.join(sorted(FRAMES))}")
        scale = str(meta.time_system or "").strip().upper()
        if scale not in SCALES:
            raise OemError(f"{where}: TIME_SYSTEM {scale}: expected one of {', '.join(SCALES)}")
        method = str(meta.interpolation or "LAGRANGE").strip().upper()
        degree = int(meta.interpolation_degree) if meta.interpolation_degree is not None else DEFAULT_DEGREE
        data = segment.data
        labels = list(data.state_vector_epochs)
        states = np.asarray(data.state_vector_numpy, dtype=np.float64)
        if states.ndim != 2 or states.shape[0] != len(labels) or states.shape[1] < 6:
            raise OemError(f"{where}: state lines need an epoch and six numbers")
        try:
            epochs = to_utc(
                np.array([parse_epoch(label, f"{where} state {i}") for i, label in enumerate(labels, 1)]),
                scale,
            )
            start = _optional_epoch(meta.useable_start_time, f"{where} USEABLE_START_TIME", scale)
            stop = _optional_epoch(meta.useable_stop_time, f"{where} USEABLE_STOP_TIME", scale)
            segments.append(
                Segment(
                    epochs, states[:, :3].copy(), states[:, 3:6].copy(), frame, method, degree, start, stop
                )
            )
        except (EphemerisError, TimeScaleError) as exc:
            raise OemError(f"{where}: {exc}") from exc
        names.add((str(meta.object_name or "").strip(), str(meta.object_id or "").strip()))
        scales.append(scale)
    if not segments:
        raise OemError(f"{source}: no segments")
    if len(names) != 1:
        raise OemError(f"{source}: segments name different objects ({sorted(names)}); one object per file")
    (object_name, object_id) = names.pop()
    return OemFile(Ephemeris(object_name, object_id, tuple(segments)), tuple(scales))


def catalog_number_of(ephemeris: Ephemeris) -> int | None:
    """The catalog number named by OBJECT_ID or OBJECT_NAME: a bare integer, or one after
    a label such as ``NORAD 25544`` / ``SATNO-25544``."""
    for value in (ephemeris.object_id, ephemeris.object_name):
        match = re.fullmatch(r"\s*(?:[A-Za-z_ -]*?[ _-])?(\d{1,9})\s*", value or "")
        if match:
            return int(match.group(1))
    return None
