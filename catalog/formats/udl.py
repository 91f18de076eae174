"""UDL-style JSON observations: a JSON array of objects with UDL field names.

Field names follow the Unified Data Library radar and electro-optical
observation schemas (``obTime``, ``idSensor``, ``satNo``, ``azimuth``,
``azimuthUnc``, ``range``, ``rangeRate``, ``ra``, ``declination``, ``mag``,
``rcs``, ``snr``, ``trackId``, ``dataMode``, ``referenceFrame``...). Units are
UDL's: degrees, km, km/s, m^2, dB. Unknown keys are ignored. Numbers must be
JSON numbers (``satNo`` may also be a string of digits).

The reader streams: it decodes one array element at a time from the input
(``json.JSONDecoder.raw_decode`` over a sliding buffer), so a large payload is
never held whole as Python objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations_common import ObservationRecord, build_record, format_time

__all__ = [
    "DEFAULT_FRAME",
    "KEYS",
    "UDL_NAMES",
    "read_udl_json",
    "record_to_udl",
    "with_default_frame",
    "write_udl_json",
]

# Attribute name -> accepted keys, the first one being the one written.
KEYS: dict[str, tuple[str, ...]] = {
    "client_id": ("clientId", "id"),
    "sensor_ref": ("idSensor", "origSensorId"),
    "sat_no": ("satNo",),
    "object_ref": ("origObjectId", "idOnOrbit"),
    "ob_time": ("obTime",),
    "azimuth_deg": ("azimuth",),
    "azimuth_unc_deg": ("azimuthUnc",),
    "elevation_deg": ("elevation",),
    "elevation_unc_deg": ("elevationUnc",),
    "range_km": ("range",),
    "range_unc_km": ("rangeUnc",),
    "range_rate_km_s": ("rangeRate",),
    "range_rate_unc_km_s": ("rangeRateUnc",),
    "ra_deg": ("ra",),
    "ra_unc_deg": ("raUnc",),
    "declination_deg": ("declination",),
    "declination_unc_deg": ("declinationUnc",),
    # The frame of RA/Dec. ``senReferenceFrame`` is the frame of the sensor's position, not of
    # the angles, and is never read as this one; a missing ``referenceFrame`` means J2000.
    "frame": ("referenceFrame",),
    "magnitude": ("mag",),
    "rcs_m2": ("rcs",),
    "snr_db": ("snr",),
    "track_id": ("trackId",),
    "data_mode": ("dataMode",),
}
UDL_NAMES: dict[str, str] = {attr: keys[0] for attr, keys in KEYS.items()}
DEFAULT_FRAME = "J2000"

# Largest text one array element may span before it is declared malformed.
MAX_ELEMENT_CHARS = 16 << 20
_WHITESPACE = " \t\r\n"


def pick(obj: dict[str, object], attr: str) -> tuple[object, str]:
    """The value of ``attr`` in ``obj`` under the first of its keys that has one."""
    keys = KEYS[attr]
    for key in keys:
        value = obj.get(key)
        if value is not None and value != "":
            return value, key
    return None, keys[0]


_SINGLE_KEYS = tuple((attr, keys[0]) for attr, keys in KEYS.items() if len(keys) == 1)
_MULTIPLE_KEYS = tuple(attr for attr, keys in KEYS.items() if len(keys) > 1)


def _record_from_object(index: int, line: int | None, obj: object) -> ObservationRecord | RecordError:
    if not isinstance(obj, dict):
        return RecordError(index, line, None, f"expected a JSON object, got {type(obj).__name__}")
    raw: dict[str, object] = {}
    names = UDL_NAMES
    for attr, key in _SINGLE_KEYS:
        value = obj.get(key)
        if value is not None and value != "":
            raw[attr] = value
    for attr in _MULTIPLE_KEYS:
        value, key = pick(obj, attr)
        if value is not None:
            raw[attr] = value
            if key != names[attr]:
                names = {**names, attr: key}
    return build_record(index, line, with_default_frame(raw), names)


def with_default_frame(raw: dict[str, object]) -> dict[str, object]:
    """``raw`` with the UDL default frame of RA/Dec (J2000) when angles come without one."""
    if "frame" not in raw and ("ra_deg" in raw or "declination_deg" in raw):
        raw["frame"] = DEFAULT_FRAME
    return raw


def read_udl_json(chunks: Iterable[str]) -> Iterator[ObservationRecord | RecordError]:
    """Read a JSON array of UDL-style observation objects (or one object).

    ``chunks`` is the text in pieces of any size. Malformed JSON raises
    :class:`FormatError` (possibly after earlier records were yielded).
    """
    for index, (line, obj) in enumerate(_iter_json_elements(iter(chunks)), start=1):
        yield _record_from_object(index, line, obj)


def _parse_int(digits: str) -> int | float:
    """A JSON integer; one too long for a 64-bit integer is read as a float (infinite when out
    of range), so that it is refused by its record's checks, never by Python's limit on the
    digits of an integer (4300), which would fail the whole payload."""
    return int(digits) if len(digits) <= 20 else float(digits)


def _iter_json_elements(chunks: Iterator[str]) -> Iterator[tuple[int, object]]:
    """Yield (line, value) for each element of a top-level JSON array."""
    decoder = json.JSONDecoder(parse_int=_parse_int)
    buf = ""
    pos = 0
    line = 1  # line number at buf[pos]
    eof = False

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        chunk = next(chunks, None)
        if chunk is None:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    def skip_ws() -> str:
        """Advance past whitespace; return the next character or '' at the end."""
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not more():
                return ""

    def value() -> object:
        nonlocal pos, line
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if len(buf) - pos <= MAX_ELEMENT_CHARS and more():
                    continue
                raise FormatError(f"invalid JSON at line {line}: {exc.msg}") from None
            except RecursionError:
                raise FormatError(f"invalid JSON at line {line}: nested too deep") from None
            if end == len(buf) and more():
                continue  # a number may continue in the next chunk
            line += buf.count("\n", pos, end)
            pos = end
            return obj

    first = skip_ws()
    if first == "{":
        start = line
        yield start, value()
        if skip_ws():
            raise FormatError(f"unexpected data after the JSON object at line {line}")
        return
    if first != "[":
        raise FormatError("UDL-style JSON must be an array of observation objects")
    pos += 1
    if skip_ws() == "]":
        pos += 1
    else:
        while True:
            if skip_ws() == "":
                raise FormatError("the JSON array is not closed")
            start = line
            yield start, value()
            sep = skip_ws()
            pos += 1
            if sep == "]":
                break
            if sep != ",":
                raise FormatError(f"expected ',' or ']' in the JSON array at line {line}")
    if skip_ws():
        raise FormatError(f"unexpected data after the JSON array at line {line}")


def record_to_udl(record: ObservationRecord) -> dict[str, object]:
    """The UDL-style JSON object of a record (keys only for values present)."""
    obj: dict[str, object] = {}
    for attr, key in UDL_NAMES.items():
        value = getattr(record, attr)
        if value is None:
            continue
        obj[key] = format_time(value) if attr == "ob_time" else value
    return obj


def write_udl_json(records: Iterable[ObservationRecord], out: TextIO) -> int:
    """Write records as a JSON array, one object per line; return the count."""
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record_to_udl(record), ensure_ascii=False, allow_nan=False))
        count += 1
    out.write("\n]\n")
    return count
