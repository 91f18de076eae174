"""CCSDS Tracking Data Message (503.0-B-2) observations, KVN and XML.

What is accepted, per segment:

* ``TIME_SYSTEM = UTC`` (anything else is refused), ``MODE = SEQUENTIAL``,
  ``PATH`` of ``1,2`` / ``2,1`` / ``1,2,1``; ``PARTICIPANT_1`` is the sensor and
  ``PARTICIPANT_2`` the object (catalog number, or a designator kept as
  ``object_ref``; ``UNKNOWN`` for an uncorrelated track).
* ``ANGLE_TYPE = AZEL`` or ``RADEC`` (the latter with ``REFERENCE_FRAME`` =
  ``EME2000``, read as ``J2000``, or ``ICRF``); ANGLE_1 values in [-180, 0),
  which the standard allows, are brought into [0, 360).
* ``RANGE_UNITS = km`` (the default); ``s`` and ``RU`` are refused.
* Data keywords ANGLE_1, ANGLE_2, RANGE, DOPPLER_INSTANTANEOUS or
  DOPPLER_INTEGRATED (range-rate, km/s; a bare DOPPLER is taken the same way),
  MAG and RCS. Values at the same timetag within a segment make one
  observation. Other standard data keywords (frequencies, media, clocks) are
  skipped; an unknown keyword is a record error.

A refused segment yields one RecordError per observation in it; the other
segments are still read. Broken structure (no CCSDS_TDM_VERS, missing
DATA_STOP, malformed XML) raises FormatError. Records are produced one segment
at a time. TDM carries no uncertainties, SNR, data mode or client ids.

ccsds_ndm 0.0.9 was evaluated for reading and is not used for it: on KVN it
rejects a blank line between META_STOP and DATA_START (the standard allows
blank lines anywhere), it accepts impossible timetags such as 2024-13-01 and
any TIME_SYSTEM text, one bad number aborts the whole message, and observations
carry no line numbers. It writes correct KVN and XML with exact float text, so
it is used for writing.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TextIO

import ccsds_ndm

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations_common import (
    FieldProblem,
    ObservationRecord,
    build_record,
    format_time,
    parse_time,
)

__all__ = ["read_tdm_kvn", "read_tdm_xml", "write_tdm"]

_MARKERS = ("META_START", "META_STOP", "DATA_START", "DATA_STOP")
_ANGLE_ATTRS = {
    "AZEL": ("azimuth_deg", "elevation_deg"),
    "RADEC": ("ra_deg", "declination_deg"),
}
_FRAMES_IN = {"EME2000": "J2000", "ICRF": "ICRF"}
_FRAMES_OUT = {"J2000": "EME2000", "EME2000": "EME2000", "ICRF": "ICRF"}
_PATHS = {"1,2", "2,1", "1,2,1"}
_DATA_KEYWORDS = {
    "RANGE": "range_km",
    "DOPPLER_INSTANTANEOUS": "range_rate_km_s",
    "DOPPLER_INTEGRATED": "range_rate_km_s",
    "DOPPLER": "range_rate_km_s",
    "MAG": "magnitude",
    "RCS": "rcs_m2",
}
# Standard data keywords that carry nothing an observation record holds.
_SKIPPED = re.compile(
    r"CARRIER_POWER|CLOCK_BIAS|CLOCK_DRIFT|DOPPLER_COUNT|DOR|PC_N0|PR_N0|PRESSURE|"
    r"RHUMIDITY|STEC|TEMPERATURE|TROPO_DRY|TROPO_WET|VLBI_DELAY|RECEIVE_FREQ(?:_[1-5])?|"
    r"(?:RECEIVE_PHASE_CT|TRANSMIT_FREQ|TRANSMIT_FREQ_RATE|TRANSMIT_PHASE_CT)_[1-5]"
)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_KNOWN = frozenset({"ANGLE_1", "ANGLE_2", *_DATA_KEYWORDS})


@dataclass
class _DataLine:
    keyword: str
    epoch: str | None
    value: str | None
    line: int | None
    problem: str | None = None


@dataclass
class _Segment:
    number: int
    line: int | None
    meta: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    data: list[_DataLine] = field(default_factory=list)


@dataclass
class _Group:
    line: int | None
    epoch: datetime | str
    values: dict[str, tuple[str | float, str, int | None]] = field(default_factory=dict)
    error: tuple[str | None, int | None, str] | None = None


# --------------------------------------------------------------------- reading


def read_tdm_kvn(lines: Iterable[str]) -> Iterator[ObservationRecord | RecordError]:
    """Read a TDM in KVN form; ``lines`` yields the text line by line."""
    return _records(_kvn_segments(lines))


def read_tdm_xml(chunks: Iterable[str]) -> Iterator[ObservationRecord | RecordError]:
    """Read a TDM in XML form; ``chunks`` yields the text in pieces of any size."""
    return _records(_xml_segments(chunks))


def _kvn_segments(lines: Iterable[str]) -> Iterator[_Segment]:
    state = "start"
    segment: _Segment | None = None
    count = 0
    lineno = 0
    for lineno, raw_line in enumerate(lines, start=1):
        text = raw_line.strip()
        if not text or text == "COMMENT" or text.startswith(("COMMENT ", "COMMENT\t")):
            continue
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if state == "start":
            if key != "CCSDS_TDM_VERS" or not sep:
                raise FormatError(f"line {lineno}: a TDM must begin with CCSDS_TDM_VERS")
            if value not in ("1.0", "2.0"):
                raise FormatError(f"line {lineno}: unsupported CCSDS_TDM_VERS {value!r}")
            state = "header"
        elif text in _MARKERS:
            expected = {
                "header": "META_START",
                "meta": "META_STOP",
                "between": "DATA_START",
                "data": "DATA_STOP",
                "after": "META_START",
            }[state]
            if text != expected:
                raise FormatError(f"line {lineno}: expected {expected}, found {text}")
            if text == "META_START":
                count += 1
                segment = _Segment(count, lineno)
                state = "meta"
            elif text == "META_STOP":
                state = "between"
            elif text == "DATA_START":
                state = "data"
            else:
                assert segment is not None
                yield segment
                segment = None
                state = "after"
        elif state == "data":
            assert segment is not None
            segment.data.append(_kvn_data_line(key, sep, value, lineno))
        elif not sep:
            raise FormatError(f"line {lineno}: expected 'KEYWORD = value', found {text!r}")
        elif state == "meta":
            assert segment is not None
            segment.meta[key] = (value, lineno)
        elif state == "header":
            continue  # CREATION_DATE, ORIGINATOR, MESSAGE_ID: not needed here
        else:
            expected = "DATA_START" if state == "between" else "META_START"
            raise FormatError(f"line {lineno}: expected {expected}, found {text!r}")
    if state == "start":
        raise FormatError("the TDM is empty")
    if state in ("meta", "between", "data"):
        raise FormatError(f"the TDM ends inside segment {count} (line {lineno}): DATA_STOP missing")
    if count == 0:
        raise FormatError("the TDM has no segment (META_START missing)")


def _kvn_data_line(key: str, sep: str, value: str, lineno: int) -> _DataLine:
    if not sep:
        parts = key.split()
        return _DataLine(
            parts[0],
            parts[1] if len(parts) > 1 else None,
            None,
            lineno,
            "expected 'KEYWORD = timetag value'",
        )
    parts = value.split()
    if len(parts) != 2:
        return _DataLine(
            key,
            parts[0] if parts else None,
            None,
            lineno,
            f"expected '<timetag> <value>' after '=', found {value!r}",
        )
    return _DataLine(key, parts[0], parts[1], lineno)


def _xml_segments(chunks: Iterable[str]) -> Iterator[_Segment]:
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[str] = []
    lines: list[int] = []
    text: list[str] = []
    done: list[_Segment] = []
    count = 0
    segment: _Segment | None = None
    epoch: str | None = None
    items: list[tuple[str, str, int]] = []
    obs_line = 0

    def local(tag: str) -> str:
        return tag.rpartition(":")[2]

    def refuse_dtd(*_args: object) -> None:
        raise FormatError("XML document type declarations are not accepted in a TDM")

    def start(tag: str, _attrs: dict[str, str]) -> None:
        nonlocal count, segment, epoch, items, obs_line
        name = local(tag)
        if not stack and name not in ("tdm", "ndm"):
            raise FormatError(f"the XML root element is <{name}>, not <tdm>")
        stack.append(name)
        lines.append(parser.CurrentLineNumber)
        text.clear()
        if name == "segment":
            count += 1
            segment = _Segment(count, parser.CurrentLineNumber)
        elif name == "observation":
            epoch, items, obs_line = None, [], parser.CurrentLineNumber
        elif segment is None and name in ("metadata", "data"):
            raise FormatError(f"line {parser.CurrentLineNumber}: <{name}> outside a <segment>")

    def end(tag: str) -> None:
        nonlocal segment, epoch
        name = stack.pop()
        line = lines.pop()
        value = "".join(text).strip()
        text.clear()
        parent = stack[-1] if stack else ""
        if name == "COMMENT":
            return
        if parent == "metadata" and segment is not None:
            segment.meta[name] = (value, line)
        elif parent == "observation":
            if name == "EPOCH":
                epoch = value
            else:
                items.append((name, value, line))
        elif name == "observation" and segment is not None:
            if not items:
                segment.data.append(
                    _DataLine("", epoch, None, obs_line, "the observation has no measurement")
                )
            for keyword, item, item_line in items:
                problem = None if epoch else "the observation has no EPOCH"
                segment.data.append(_DataLine(keyword, epoch, item, item_line, problem))
        elif name == "segment" and segment is not None:
            done.append(segment)
            segment = None

    def chars(data: str) -> None:
        text.append(data)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            yield from done
            done.clear()
        parser.Parse("", True)
    except xml.parsers.expat.ExpatError as exc:
        message = xml.parsers.expat.ErrorString(exc.code)
        raise FormatError(f"malformed XML at line {exc.lineno}: {message}") from None
    yield from done
    if count == 0:
        raise FormatError("the TDM has no <segment>")


def _records(segments: Iterator[_Segment]) -> Iterator[ObservationRecord | RecordError]:
    index = 0
    for segment in segments:
        for item in _segment_records(segment, index + 1):
            index += 1
            yield item


def _segment_problem(segment: _Segment) -> tuple[str, int | None, str] | None:
    """The first metadata problem that makes the whole segment unusable."""
    meta = segment.meta
    where = f"segment {segment.number}"

    def get(key: str) -> tuple[str, int | None]:
        return meta.get(key, ("", segment.line))

    value, line = get("TIME_SYSTEM")
    if value.upper() != "UTC":
        shown = f"TIME_SYSTEM {value}" if value else "TIME_SYSTEM is missing;"
        return "TIME_SYSTEM", line, f"{where}: {shown} is not accepted; timetags must be UTC"
    value, line = get("PARTICIPANT_1")
    if not value:
        return "PARTICIPANT_1", line, f"{where}: PARTICIPANT_1 (the sensor) is missing"
    value, line = get("MODE")
    if value.upper() != "SEQUENTIAL":
        return "MODE", line, f"{where}: MODE must be SEQUENTIAL, found {value or 'nothing'}"
    value, line = get("PATH")
    if value.replace(" ", "") not in _PATHS:
        return "PATH", line, f"{where}: PATH must be 1,2 or 2,1 or 1,2,1, found {value or 'nothing'}"
    value, line = meta.get("RANGE_UNITS", ("km", None))
    if value != "km":
        return (
            "RANGE_UNITS",
            line,
            f"{where}: RANGE_UNITS {value} is not accepted; range must be given in km",
        )
    if any(d.keyword in ("ANGLE_1", "ANGLE_2") for d in segment.data):
        angle_type, line = get("ANGLE_TYPE")
        if angle_type.upper() not in _ANGLE_ATTRS:
            found = angle_type or "nothing"
            return "ANGLE_TYPE", line, f"{where}: ANGLE_TYPE must be AZEL or RADEC, found {found}"
        if angle_type.upper() == "RADEC":
            frame, line = get("REFERENCE_FRAME")
            if frame.upper() not in _FRAMES_IN:
                found = frame or "nothing"
                return (
                    "REFERENCE_FRAME",
                    line,
                    f"{where}: REFERENCE_FRAME must be EME2000 or ICRF for RADEC, found {found}",
                )
    return None


_NAMES = {
    "ob_time": "EPOCH",
    "sensor_ref": "PARTICIPANT_1",
    "sat_no": "PARTICIPANT_2",
    "object_ref": "PARTICIPANT_2",
    "track_id": "TRACK_ID",
    "frame": "REFERENCE_FRAME",
    "azimuth_deg": "ANGLE_1",
    "elevation_deg": "ANGLE_2",
    "ra_deg": "ANGLE_1",
    "declination_deg": "ANGLE_2",
}


def _group_key(epoch: str | None, line: int | None) -> datetime | str:
    """The instant of a timetag (the same for different spellings of it), or a key of its own."""
    if epoch is None:
        return f"#line{line}"
    try:
        return parse_time(epoch)
    except FieldProblem:
        return f"#bad:{epoch}"


def _segment_records(segment: _Segment, first_index: int) -> Iterator[ObservationRecord | RecordError]:
    problem = _segment_problem(segment)
    angle_type = segment.meta.get("ANGLE_TYPE", ("", None))[0].upper()
    attrs: dict[str, str] = dict(_DATA_KEYWORDS)
    if angle_type in _ANGLE_ATTRS:
        attrs["ANGLE_1"], attrs["ANGLE_2"] = _ANGLE_ATTRS[angle_type]

    groups: dict[datetime | str, _Group] = {}
    keys: dict[str, datetime | str] = {}
    for data in segment.data:
        if data.keyword not in _KNOWN and _SKIPPED.fullmatch(data.keyword):
            continue
        # Every data line of an observation repeats its timetag: normalise each text once.
        key = keys.get(data.epoch) if data.epoch is not None else None
        if key is None:
            key = _group_key(data.epoch, data.line)
            if data.epoch is not None:
                keys[data.epoch] = key
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(data.line, key if isinstance(key, datetime) else data.epoch or "")
        if group.error is not None:
            continue
        if data.problem is not None:
            group.error = (data.keyword or None, data.line, data.problem)
            continue
        attr = attrs.get(data.keyword)
        if attr is None and data.keyword not in ("ANGLE_1", "ANGLE_2"):
            group.error = (data.keyword, data.line, f"unknown TDM data keyword {data.keyword}")
            continue
        if attr is None:
            continue  # angles in a refused segment; reported through `problem`
        value: str | float = data.value or ""
        if data.keyword == "ANGLE_1" and _NUMBER.fullmatch(data.value or ""):
            angle = float(value)
            if -180.0 <= angle < 0.0:
                value = angle + 360.0 if angle + 360.0 < 360.0 else 0.0
        previous = group.values.get(attr)
        if previous is not None and previous[0] != value:
            group.error = (
                data.keyword,
                data.line,
                f"{data.keyword} is given twice for {data.epoch} with different values",
            )
            continue
        group.values[attr] = (value, data.keyword, data.line)

    sensor = segment.meta.get("PARTICIPANT_1", ("", None))[0]
    target = segment.meta.get("PARTICIPANT_2", ("", None))[0]
    base: dict[str, object] = {
        "sensor_ref": None if sensor.upper() == "UNKNOWN" else sensor,
        "track_id": segment.meta.get("TRACK_ID", ("", None))[0],
    }
    if target.isdigit():
        base["sat_no"] = target
    elif target.upper() != "UNKNOWN":
        base["object_ref"] = target
    if angle_type == "RADEC":
        frame = segment.meta.get("REFERENCE_FRAME", ("", None))[0].upper()
        base["frame"] = _FRAMES_IN.get(frame, frame)

    for offset, group in enumerate(groups.values()):
        index = first_index + offset
        if problem is not None:
            yield RecordError(index, problem[1], problem[0], problem[2])
            continue
        if group.error is not None:
            yield RecordError(index, group.error[1], group.error[0], group.error[2])
            continue
        raw = dict(base)
        raw["ob_time"] = group.epoch
        names = dict(_NAMES)
        field_lines: dict[str, int | None] = {}
        for attr, (value, keyword, line) in group.values.items():
            raw[attr] = value
            names[attr] = keyword
            field_lines[keyword] = line
        result = build_record(index, group.line, raw, names)
        if isinstance(result, RecordError) and result.field in field_lines:
            result = replace(result, line=field_lines[result.field])
        yield result


# --------------------------------------------------------------------- writing


def _participant(value: str | None, what: str, index: int) -> str:
    if value is None or not value.strip():
        return "UNKNOWN"
    if any(ch in value for ch in "\r\n") or value != value.strip():
        raise FormatError(f"record {index}: {what} {value!r} cannot be written to a TDM")
    return value


def _parts(
    record: ObservationRecord,
) -> list[tuple[tuple[str, str, str | None, str | None, str | None, str], list[tuple[str, float]]]]:
    """Split a record into TDM segment keys and their (keyword, value) lines."""
    sensor = _participant(record.sensor_ref, "sensor", record.index)
    if record.sat_no is not None:
        target = str(record.sat_no)
    else:
        target = _participant(record.object_ref, "object", record.index)
    track = record.track_id
    if track is not None:
        _participant(track, "track id", record.index)
    extras: list[tuple[str, float]] = []
    for keyword, value in (
        ("RANGE", record.range_km),
        ("DOPPLER_INSTANTANEOUS", record.range_rate_km_s),
        ("MAG", record.magnitude),
        ("RCS", record.rcs_m2),
    ):
        if value is not None:
            extras.append((keyword, value))
    path = "1,2,1" if record.range_km is not None or record.range_rate_km_s is not None else "2,1"
    parts: list[tuple[tuple[str, str, str | None, str | None, str | None, str], list[tuple[str, float]]]] = []
    if record.azimuth_deg is not None and record.elevation_deg is not None:
        lines = [("ANGLE_1", record.azimuth_deg), ("ANGLE_2", record.elevation_deg), *extras]
        parts.append(((sensor, target, "AZEL", None, track, path), lines))
        extras = []
    if record.ra_deg is not None and record.declination_deg is not None:
        frame = _FRAMES_OUT.get((record.frame or "J2000").upper())
        if frame is None:
            raise FormatError(
                f"record {record.index}: frame {record.frame} cannot be written to a TDM "
                "(J2000/EME2000 or ICRF only)"
            )
        lines = [("ANGLE_1", record.ra_deg), ("ANGLE_2", record.declination_deg), *extras]
        parts.append(((sensor, target, "RADEC", frame, track, path), lines))
        extras = []
    if extras:
        parts.append(((sensor, target, None, None, track, path), extras))
    return parts


def write_tdm(
    records: Iterable[ObservationRecord],
    out: TextIO,
    *,
    xml_form: bool = False,
    originator: str = "COALITION-SDA",
    message_id: str | None = None,
) -> int:
    """Write records as one TDM (KVN, or XML if ``xml_form``); return the count.

    Consecutive records with the same sensor, object, angle type, frame and
    track share a segment. A record with both AZ/EL and RA/DEC becomes two
    segments (read back as two records). The message is built in memory.
    """
    segments: list[ccsds_ndm.TdmSegment] = []
    key: object = None
    observations: list[ccsds_ndm.TdmObservation] = []
    epochs: set[str] = set()
    metadata: ccsds_ndm.TdmMetadata | None = None
    count = 0

    def close() -> None:
        if metadata is not None:
            data = ccsds_ndm.TdmData(observations=observations)
            segments.append(ccsds_ndm.TdmSegment(metadata=metadata, data=data))

    for record in records:
        count += 1
        epoch = format_time(record.ob_time, zulu=False)
        for part_key, lines in _parts(record):
            if part_key != key or epoch in epochs:
                close()
                sensor, target, angle_type, frame, track, path = part_key
                metadata = ccsds_ndm.TdmMetadata(
                    participant_1=sensor,
                    participant_2=target,
                    time_system="UTC",
                    mode="SEQUENTIAL",
                    path=path,
                    angle_type=angle_type,
                    reference_frame=frame,
                    range_units="km" if path == "1,2,1" else None,
                    track_id=track,
                )
                key, observations, epochs = part_key, [], set()
            epochs.add(epoch)
            for keyword, value in lines:
                observations.append(ccsds_ndm.TdmObservation(epoch=epoch, keyword=keyword, value=value))
    close()
    if not segments:
        raise FormatError("a TDM needs at least one observation")
    header = ccsds_ndm.TdmHeader(
        originator=originator,
        creation_date=format_time(datetime.now(UTC), zulu=False),
        message_id=message_id,
    )
    message = ccsds_ndm.Tdm(header=header, body=ccsds_ndm.TdmBody(segments=segments))
    out.write(message.to_str("xml" if xml_form else "kvn"))
    return count
