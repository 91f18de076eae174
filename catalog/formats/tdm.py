"""CCSDS Tracking Data Message (503.0-B-1 and 503.0-B-2) observations, KVN and XML.

Every keyword of a segment is checked for syntax first (known for the message's
``CCSDS_TDM_VERS``, a value of the right kind), then each keyword that changes a
value is either applied as the standard defines or the segment is refused
naming it. ``docs/formats.md`` lists every keyword as read, converted or refused.

What is converted, per segment:

* ``TIME_SYSTEM``: UTC as is; TAI, GPS and TT through the packaged leap-second
  table (:mod:`catalog.astro.timescales`); UT1 through the packaged IERS table
  (:mod:`catalog.astro.eop`, UT1-UTC inverted by iteration). Other CCSDS time
  systems are refused.
* ``CORRECTION_*`` with ``CORRECTIONS_APPLIED = NO``: the standard defines each
  as the correction that has been added or should be added, so it is added
  (ANGLE_1/2, DOPPLER, RANGE in RANGE_UNITS, MAG, RCS); aberration corrections
  not yet applied are refused (one number cannot be split between two angles).
* ``RANGE_UNITS = s``: light time along PATH (c/2 for ``1,2,1``, c for one
  way); ``RU`` is refused. ``RANGE_MODULUS`` shorter than any range the portal
  stores makes the range ambiguous and is refused.
* ``TIMETAG_REF = TRANSMIT``: the receive time is the timetag plus the light
  time of the observation's own range along PATH; without a range, refused.
* ``INTEGRATION_REF`` / ``INTEGRATION_INTERVAL``: an integrated Doppler is the
  mean range-rate of its interval and is stored at the interval's middle.
* ``DATA_QUALITY = DEGRADED`` and a signal delay of the sensor with range data
  are refused; ``REFERENCE_FRAME`` EME2000 is read as J2000, ICRF and GCRF (the
  same axes) as ICRF.

A refused segment yields one RecordError per observation in it (one for the
segment when it has none); the other segments are still read. Broken structure
(no CCSDS_TDM_VERS, an unknown header keyword, missing DATA_STOP, malformed XML)
raises FormatError. An XML ``<ndm>`` combined message is read child by child:
each ``<tdm>`` is read, any other child is named in a RecordError as skipped.
Records are produced one segment at a time. TDM carries no uncertainties, SNR,
data mode or client ids.

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
from datetime import UTC, datetime, timedelta
from typing import TextIO

import ccsds_ndm
import numpy as np

from catalog.astro.eop import EopError, packaged_table
from catalog.astro.timescales import TimeScaleError, to_utc
from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations_common import (
    MAX_RANGE_KM,
    FieldProblem,
    ObservationRecord,
    build_record,
    format_time,
    parse_time,
)

__all__ = ["read_tdm_kvn", "read_tdm_xml", "write_tdm"]

C_KM_S = 299792.458
# A modulus at least this long (km, one way) cannot fold any range the portal stores.
UNAMBIGUOUS_MODULUS_KM = MAX_RANGE_KM

_MARKERS = ("META_START", "META_STOP", "DATA_START", "DATA_STOP")
_ANGLE_ATTRS = {
    "AZEL": ("azimuth_deg", "elevation_deg"),
    "RADEC": ("ra_deg", "declination_deg"),
}
_FRAMES_IN = {"EME2000": "J2000", "ICRF": "ICRF", "GCRF": "ICRF"}
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
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_KNOWN = frozenset({"ANGLE_1", "ANGLE_2", *_DATA_KEYWORDS})


def _numbered(*stems: str) -> set[str]:
    return {f"{stem}_{n}" for stem in stems for n in range(1, 6)}


# Keyword sets of each version (503.0-B-1 is version 1.0, 503.0-B-2 version 2.0).
_HEADER_1 = frozenset({"CREATION_DATE", "ORIGINATOR"})
_HEADER_2 = _HEADER_1 | {"MESSAGE_ID"}
_META_1 = frozenset(
    {
        "TIME_SYSTEM",
        "START_TIME",
        "STOP_TIME",
        "MODE",
        "PATH",
        "PATH_1",
        "PATH_2",
        "TRANSMIT_BAND",
        "RECEIVE_BAND",
        "TURNAROUND_NUMERATOR",
        "TURNAROUND_DENOMINATOR",
        "TIMETAG_REF",
        "INTEGRATION_INTERVAL",
        "INTEGRATION_REF",
        "FREQ_OFFSET",
        "RANGE_MODE",
        "RANGE_MODULUS",
        "RANGE_UNITS",
        "ANGLE_TYPE",
        "REFERENCE_FRAME",
        "DATA_QUALITY",
        "CORRECTION_ANGLE_1",
        "CORRECTION_ANGLE_2",
        "CORRECTION_DOPPLER",
        "CORRECTION_RANGE",
        "CORRECTION_RECEIVE",
        "CORRECTION_TRANSMIT",
        "CORRECTIONS_APPLIED",
        *_numbered("PARTICIPANT", "TRANSMIT_DELAY", "RECEIVE_DELAY"),
    }
)
_META_2 = _META_1 | {
    "TRACK_ID",
    "DATA_TYPES",
    "INTERPOLATION",
    "INTERPOLATION_DEGREE",
    "DOPPLER_COUNT_BIAS",
    "DOPPLER_COUNT_SCALE",
    "DOPPLER_COUNT_ROLLOVER",
    "CORRECTION_MAG",
    "CORRECTION_RCS",
    "CORRECTION_ABERRATION_YEARLY",
    "CORRECTION_ABERRATION_DIURNAL",
    *_numbered("EPHEMERIS_NAME"),
}
# Data keywords carrying nothing an observation record holds (frequencies, media, clocks).
_SKIPPED_1 = frozenset(
    {
        "CARRIER_POWER",
        "CLOCK_BIAS",
        "CLOCK_DRIFT",
        "DOR",
        "PC_N0",
        "PR_N0",
        "PRESSURE",
        "RHUMIDITY",
        "STEC",
        "TEMPERATURE",
        "TROPO_DRY",
        "TROPO_WET",
        "VLBI_DELAY",
        "RECEIVE_FREQ",
        *_numbered("RECEIVE_FREQ", "TRANSMIT_FREQ", "TRANSMIT_FREQ_RATE"),
    }
)
_SKIPPED_2 = _SKIPPED_1 | {"DOPPLER_COUNT", *_numbered("RECEIVE_PHASE_CT", "TRANSMIT_PHASE_CT")}
_DATA_2_ONLY = frozenset({"MAG", "RCS"})
_KEYWORDS = {
    "1.0": (_HEADER_1, _META_1, _SKIPPED_1),
    "2.0": (_HEADER_2, _META_2, _SKIPPED_2),
}

_TIME_SYSTEMS = frozenset(
    {"GMST", "GPS", "MET", "MRT", "SCLK", "TAI", "TCB", "TDB", "TCG", "TT", "UT1", "UTC"}
)
_CONVERTED_TIME = ("UTC", "TAI", "GPS", "TT", "UT1")
_ENUMS: dict[str, frozenset[str]] = {
    "TIME_SYSTEM": _TIME_SYSTEMS,
    "MODE": frozenset({"SEQUENTIAL", "SINGLE_DIFF"}),
    "TIMETAG_REF": frozenset({"TRANSMIT", "RECEIVE"}),
    "INTEGRATION_REF": frozenset({"START", "MIDDLE", "END"}),
    "RANGE_MODE": frozenset({"COHERENT", "CONSTANT", "ONE_WAY"}),
    "RANGE_UNITS": frozenset({"KM", "S", "RU"}),
    "ANGLE_TYPE": frozenset({"AZEL", "RADEC", "XEYN", "XSYE"}),
    "DATA_QUALITY": frozenset({"RAW", "VALIDATED", "DEGRADED"}),
    "CORRECTIONS_APPLIED": frozenset({"YES", "NO"}),
    "DOPPLER_COUNT_ROLLOVER": frozenset({"YES", "NO"}),
}
_NUMERIC_META = frozenset(
    {
        "TURNAROUND_NUMERATOR",
        "TURNAROUND_DENOMINATOR",
        "INTEGRATION_INTERVAL",
        "FREQ_OFFSET",
        "RANGE_MODULUS",
        "INTERPOLATION_DEGREE",
        "DOPPLER_COUNT_BIAS",
        "DOPPLER_COUNT_SCALE",
        *(k for k in _META_2 if k.startswith("CORRECTION_")),
        *_numbered("TRANSMIT_DELAY", "RECEIVE_DELAY"),
    }
)
_TIME_META = frozenset({"START_TIME", "STOP_TIME"})
# Corrections added to a data keyword's value (in its own units) when not yet applied.
_VALUE_CORRECTIONS = {
    "CORRECTION_ANGLE_1": ("ANGLE_1",),
    "CORRECTION_ANGLE_2": ("ANGLE_2",),
    "CORRECTION_DOPPLER": ("DOPPLER_INSTANTANEOUS", "DOPPLER_INTEGRATED", "DOPPLER"),
    "CORRECTION_RANGE": ("RANGE",),
    "CORRECTION_MAG": ("MAG",),
    "CORRECTION_RCS": ("RCS",),
}
_ABERRATION = ("CORRECTION_ABERRATION_YEARLY", "CORRECTION_ABERRATION_DIURNAL")


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
    version: str = "2.0"
    meta: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    data: list[_DataLine] = field(default_factory=list)


@dataclass(frozen=True)
class _Skipped:
    """A child of an NDM combined message that is not a TDM."""

    name: str
    line: int


@dataclass
class _Group:
    line: int | None
    epoch: datetime | str
    values: dict[str, tuple[str | float, str, int | None]] = field(default_factory=dict)
    error: tuple[str | None, int | None, str] | None = None


@dataclass(frozen=True)
class _Plan:
    """How the values of one segment become stored values."""

    scale: str = "UTC"
    km_per_unit: float = 1.0  # one-way km per RANGE_UNITS unit
    corrections: dict[str, float] = field(default_factory=dict)  # data keyword -> value added
    transmit_legs: int = 0  # light-time legs between a transmit timetag and reception (0: receive)
    integrated_shift: timedelta = timedelta(0)  # added to DOPPLER_INTEGRATED timetags


_Problem = tuple[str, int | None, str]


# --------------------------------------------------------------------- reading


def read_tdm_kvn(lines: Iterable[str]) -> Iterator[ObservationRecord | RecordError]:
    """Read a TDM in KVN form; ``lines`` yields the text line by line."""
    return _records(_kvn_segments(lines))


def read_tdm_xml(chunks: Iterable[str]) -> Iterator[ObservationRecord | RecordError]:
    """Read a TDM (or an NDM combined message holding TDMs) in XML form, text in pieces of any size."""
    return _records(_xml_segments(chunks))


def _not_a_tdm(key: str) -> str:
    match = re.fullmatch(r"CCSDS_([A-Z]{3})_VERS", key)
    if match:
        return f": the payload is a CCSDS {match[1]}, not a TDM"
    return ""


def _kvn_segments(lines: Iterable[str]) -> Iterator[_Segment]:
    state = "start"
    segment: _Segment | None = None
    version = "2.0"
    header_keys: frozenset[str] = _HEADER_2
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
                raise FormatError(f"line {lineno}: a TDM must begin with CCSDS_TDM_VERS{_not_a_tdm(key)}")
            if value not in _KEYWORDS:
                raise FormatError(f"line {lineno}: unsupported CCSDS_TDM_VERS {value!r}")
            version = value
            header_keys = _KEYWORDS[version][0]
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
                segment = _Segment(count, lineno, version)
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
            _check_header(key, value, header_keys, version, f"line {lineno}")
        else:
            expected = "DATA_START" if state == "between" else "META_START"
            raise FormatError(f"line {lineno}: expected {expected}, found {text!r}")
    if state == "start":
        raise FormatError("the TDM is empty")
    if state in ("meta", "between", "data"):
        raise FormatError(f"the TDM ends inside segment {count} (line {lineno}): DATA_STOP missing")
    if count == 0:
        raise FormatError("the TDM has no segment (META_START missing)")


def _check_header(key: str, value: str, keys: frozenset[str], version: str, where: str) -> None:
    if key not in keys:
        if key in _HEADER_2:
            raise FormatError(f"{where}: {key} is a TDM 2.0 header keyword; the message is version {version}")
        raise FormatError(f"{where}: unknown TDM header keyword {key}")
    if key == "CREATION_DATE":
        try:
            parse_time(value)
        except FieldProblem as problem:
            raise FormatError(f"{where}: CREATION_DATE {problem}") from None


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


def _xml_segments(chunks: Iterable[str]) -> Iterator[_Segment | _Skipped]:
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[str] = []
    lines: list[int] = []
    text: list[str] = []
    done: list[_Segment | _Skipped] = []
    count = 0
    skipped: list[_Skipped] = []
    segment: _Segment | None = None
    version = "2.0"
    epoch: str | None = None
    items: list[tuple[str, str, int]] = []
    obs_line = 0

    def local(tag: str) -> str:
        return tag.rpartition(":")[2]

    def refuse_dtd(*_args: object) -> None:
        raise FormatError("XML document type declarations are not accepted in a TDM")

    def in_tdm() -> bool:
        """Whether the element on top of the stack lies inside a <tdm>."""
        return bool(stack) and (stack[0] == "tdm" or stack[:2] == ["ndm", "tdm"])

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal count, segment, epoch, items, obs_line, version
        name = local(tag)
        line = parser.CurrentLineNumber
        if not stack and name not in ("tdm", "ndm"):
            kind = f"an {name.upper()}, not a TDM" if re.fullmatch(r"o[a-z]m|[a-z]dm", name) else "not a TDM"
            raise FormatError(f"the XML root element is <{name}>: {kind}")
        if stack == ["ndm"] and name != "tdm" and name != "COMMENT":
            skipped.append(_Skipped(name, line))
            done.append(skipped[-1])
        stack.append(name)
        lines.append(line)
        text.clear()
        if not in_tdm():
            return
        if name == "tdm":
            version = attrs.get("version", "2.0").strip()
            if version not in _KEYWORDS:
                raise FormatError(f"line {line}: unsupported TDM version {version!r}")
        elif name == "segment":
            count += 1
            segment = _Segment(count, line, version)
        elif name == "observation":
            epoch, items, obs_line = None, [], line
        elif segment is None and name in ("metadata", "data"):
            raise FormatError(f"line {line}: <{name}> outside a <segment>")

    def end(tag: str) -> None:
        nonlocal segment, epoch
        inside = in_tdm()
        name = stack.pop()
        line = lines.pop()
        value = "".join(text).strip()
        text.clear()
        parent = stack[-1] if stack else ""
        if name == "COMMENT" or not inside:
            return
        if parent == "header":
            _check_header(name, value, _KEYWORDS[version][0], version, f"line {line}")
        elif parent == "metadata" and segment is not None:
            segment.meta[name] = (value, line)
        elif parent == "observation":
            if name == "EPOCH":
                epoch = value
            else:
                items.append((name, value, line))
        elif name == "observation" and segment is not None:
            if not items:
                empty = "the observation has no measurement"
                segment.data.append(_DataLine("", epoch, None, obs_line, empty))
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
    except UnicodeEncodeError:  # a lone surrogate, from text that was never UTF-8
        raise FormatError(
            f"malformed XML near line {parser.CurrentLineNumber}: a lone surrogate is not a character"
        ) from None
    if count == 0:
        if skipped:
            names = ", ".join(f"<{s.name}> at line {s.line}" for s in skipped)
            raise FormatError(f"the NDM combined message holds no TDM (not a TDM: {names})")
        raise FormatError("the TDM has no <segment>")
    yield from done


def _records(segments: Iterator[_Segment | _Skipped]) -> Iterator[ObservationRecord | RecordError]:
    index = 0
    for segment in segments:
        if isinstance(segment, _Skipped):
            index += 1
            message = f"<{segment.name}> of the NDM combined message is not a TDM; skipped"
            yield RecordError(index, segment.line, segment.name, message)
            continue
        for item in _segment_records(segment, index + 1):
            index += 1
            yield item


def _syntax_problem(segment: _Segment) -> _Problem | None:
    """The first metadata keyword unknown to the message's version or with a malformed value."""
    meta_keys = _KEYWORDS[segment.version][1]
    where = f"segment {segment.number}"
    for key, (value, line) in segment.meta.items():
        if key not in meta_keys:
            if key in _META_2:
                return key, line, f"{where}: {key} is a TDM 2.0 keyword; the message is {segment.version}"
            return key, line, f"{where}: unknown TDM metadata keyword {key}"
        if key in _ENUMS and value.upper() not in _ENUMS[key]:
            if key == "TIME_SYSTEM":
                return key, line, f"{where}: TIME_SYSTEM {value or 'nothing'} is not a CCSDS time system"
            choices = ", ".join(sorted(_ENUMS[key]))
            return key, line, f"{where}: {key} must be one of {choices}, found {value or 'nothing'}"
        if key in _NUMERIC_META and not _NUMBER.fullmatch(value):
            return key, line, f"{where}: {key} must be a number, found {value or 'nothing'}"
        if key in _TIME_META:
            try:
                parse_time(value)
            except FieldProblem as problem:
                return key, line, f"{where}: {key} {problem}"
        if key == "DATA_TYPES":
            allowed = _KNOWN | _KEYWORDS[segment.version][2]
            unknown = [t for t in (p.strip() for p in value.split(",")) if t not in allowed]
            if unknown:
                return key, line, f"{where}: DATA_TYPES names unknown data keyword {unknown[0]}"
    return None


_Meta = dict[str, tuple[str, int | None]]


def _nonzero(meta: _Meta, keys: Iterable[str]) -> tuple[str, str, int | None] | None:
    """The first of ``keys`` given with a value other than zero: (keyword, value, line)."""
    for key in keys:
        if key in meta and float(meta[key][0]) != 0.0:
            return key, meta[key][0], meta[key][1]
    return None


def _segment_plan(segment: _Segment) -> _Plan | _Problem:
    """What the segment's metadata do to its values, or the first keyword that makes it unusable."""
    if (syntax := _syntax_problem(segment)) is not None:
        return syntax
    meta = segment.meta
    where = f"segment {segment.number}"

    def get(key: str, default: str = "") -> tuple[str, int | None]:
        value, line = meta.get(key, (default, segment.line))
        return value.upper() if key != "PATH" else value.replace(" ", ""), line

    scale, line = get("TIME_SYSTEM")
    if scale not in _CONVERTED_TIME:
        shown = f"TIME_SYSTEM {scale} is not converted" if scale else "TIME_SYSTEM is missing"
        return "TIME_SYSTEM", line, f"{where}: {shown}; timetags must be in {', '.join(_CONVERTED_TIME)}"
    value, line = get("PARTICIPANT_1")
    if not value:
        return "PARTICIPANT_1", line, f"{where}: PARTICIPANT_1 (the sensor) is missing"
    value, line = get("MODE")
    if value != "SEQUENTIAL":
        return "MODE", line, f"{where}: MODE must be SEQUENTIAL, found {value or 'nothing'}"
    path, line = get("PATH")
    if path not in _PATHS:
        return "PATH", line, f"{where}: PATH must be 1,2 or 2,1 or 1,2,1, found {path or 'nothing'}"
    legs = 2 if path == "1,2,1" else 1
    quality, line = get("DATA_QUALITY")
    if quality == "DEGRADED":
        return "DATA_QUALITY", line, f"{where}: DATA_QUALITY is DEGRADED; degraded data are not stored"

    has = {d.keyword for d in segment.data}
    units, line = get("RANGE_UNITS", "KM")
    km_per_unit = 1.0
    if units == "S":
        km_per_unit = C_KM_S / legs
    elif units != "KM":
        return (
            "RANGE_UNITS",
            line,
            f"{where}: RANGE_UNITS {units} is not accepted: range units (RU) depend on the transmit "
            "frequency and ranging code, which a TDM does not fully carry; send range in km or s",
        )
    modulus_text, line = get("RANGE_MODULUS", "0")
    modulus_km = abs(float(modulus_text)) * km_per_unit
    if "RANGE" in has and 0.0 < modulus_km < UNAMBIGUOUS_MODULUS_KM:
        return (
            "RANGE_MODULUS",
            line,
            f"{where}: RANGE_MODULUS {modulus_text} ({modulus_km:.6g} km) leaves the range ambiguous; "
            "resolving it needs a prediction, send the full range",
        )
    if "RANGE" in has and (delay := _nonzero(meta, ("TRANSMIT_DELAY_1", "RECEIVE_DELAY_1"))):
        key, value, line = delay
        return (
            key,
            line,
            f"{where}: {key} = {value} s; whether the sensor's signal delay is in the range is not "
            "stated, so the range is refused (send ranges with the delay removed)",
        )

    corrections: dict[str, float] = {}
    given = [key for key in meta if key.startswith("CORRECTION_")]
    if given:
        applied, line = get("CORRECTIONS_APPLIED")
        if not applied:
            return (
                "CORRECTIONS_APPLIED",
                segment.line,
                f"{where}: {given[0]} is given without CORRECTIONS_APPLIED; say YES or NO",
            )
        if applied == "NO" and (aberration := _nonzero(meta, _ABERRATION)):
            key, _value, line = aberration
            return (
                key,
                line,
                f"{where}: {key} not yet applied cannot be applied (the standard gives one value "
                "for two angles); send angles with aberration applied or not at all",
            )
        if applied == "NO":
            for key, keywords in _VALUE_CORRECTIONS.items():
                if key in meta and (amount := float(meta[key][0])) != 0.0:
                    for keyword in keywords:
                        corrections[keyword] = amount

    transmit_legs = 0
    ref, line = get("TIMETAG_REF", "RECEIVE")
    if ref == "TRANSMIT" and path != "1,2":
        transmit_legs = legs
    shift = timedelta(0)
    if "DOPPLER_INTEGRATED" in has:
        ref, ref_line = get("INTEGRATION_REF", "MIDDLE")
        if ref != "MIDDLE":
            interval, line = get("INTEGRATION_INTERVAL")
            if not interval:
                return (
                    "INTEGRATION_INTERVAL",
                    ref_line,
                    f"{where}: INTEGRATION_REF = {ref} needs INTEGRATION_INTERVAL to time DOPPLER_INTEGRATED",
                )
            half = timedelta(seconds=float(interval) / 2.0)
            shift = half if ref == "START" else -half

    if any(d.keyword in ("ANGLE_1", "ANGLE_2") for d in segment.data):
        angle_type, line = get("ANGLE_TYPE")
        if angle_type not in _ANGLE_ATTRS:
            found = angle_type or "nothing"
            return "ANGLE_TYPE", line, f"{where}: ANGLE_TYPE must be AZEL or RADEC, found {found}"
        if angle_type == "RADEC":
            frame, line = get("REFERENCE_FRAME")
            if frame not in _FRAMES_IN:
                found = frame or "nothing"
                return (
                    "REFERENCE_FRAME",
                    line,
                    f"{where}: REFERENCE_FRAME must be EME2000, ICRF or GCRF for RADEC, found {found}",
                )
    return _Plan(scale, km_per_unit, corrections, transmit_legs, shift)


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


def _to_utc(labels: list[datetime], scale: str) -> list[datetime]:
    """Timetags labelled in ``scale`` (read as if UTC), labelled in UTC."""
    times = np.array([t.replace(tzinfo=None) for t in labels], dtype="datetime64[us]")
    if scale == "UT1":
        table = packaged_table()
        utc = times
        for _ in range(3):  # UT1 - UTC changes by under 3 ms a day: converged after two steps
            dut1 = table.ut1_minus_utc(utc)
            utc = times - np.round(dut1 * 1e6).astype("timedelta64[us]")
    else:
        utc = to_utc(times, scale)
    return [t.replace(tzinfo=UTC) for t in utc.astype(datetime)]


def _segment_records(segment: _Segment, first_index: int) -> Iterator[ObservationRecord | RecordError]:
    plan_or_problem = _segment_plan(segment)
    problem = plan_or_problem if isinstance(plan_or_problem, tuple) else None
    plan = plan_or_problem if isinstance(plan_or_problem, _Plan) else _Plan()
    skipped = _KEYWORDS[segment.version][2]
    version_1 = segment.version == "1.0"
    angle_type = segment.meta.get("ANGLE_TYPE", ("", None))[0].upper()
    attrs: dict[str, str] = dict(_DATA_KEYWORDS)
    if angle_type in _ANGLE_ATTRS:
        attrs["ANGLE_1"], attrs["ANGLE_2"] = _ANGLE_ATTRS[angle_type]
    corrections = plan.corrections
    km_per_unit = plan.km_per_unit

    groups: dict[datetime | str, _Group] = {}
    keys: dict[str, datetime | str] = {}
    for data in segment.data:
        keyword = data.keyword
        # Every data line of an observation repeats its timetag: normalise each text once.
        key = keys.get(data.epoch) if data.epoch is not None else None
        if key is None:
            key = _group_key(data.epoch, data.line)
            if data.epoch is not None:
                keys[data.epoch] = key
        if (
            keyword in skipped
            and data.problem is None
            and isinstance(key, datetime)
            and _NUMBER.fullmatch(data.value or "")
        ):
            continue  # well formed, and nothing a record holds
        if plan.integrated_shift and keyword == "DOPPLER_INTEGRATED" and isinstance(key, datetime):
            key = key + plan.integrated_shift
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(data.line, key if isinstance(key, datetime) else data.epoch or "")
        if group.error is not None:
            continue
        if data.problem is not None:
            group.error = (keyword or None, data.line, data.problem)
            continue
        if keyword in skipped:
            shown = data.value if isinstance(key, datetime) else data.epoch
            what = "value" if isinstance(key, datetime) else "timetag"
            group.error = (keyword, data.line, f"{keyword}: the {what} {shown!r} is malformed")
            continue
        if version_1 and (keyword in _DATA_2_ONLY or keyword in _SKIPPED_2):
            message = f"{keyword} is a TDM 2.0 data keyword; the message is version 1.0"
            group.error = (keyword, data.line, message)
            continue
        attr = attrs.get(keyword)
        if attr is None and keyword not in ("ANGLE_1", "ANGLE_2"):
            group.error = (keyword, data.line, f"unknown TDM data keyword {keyword}")
            continue
        if attr is None:
            continue  # angles in a refused segment; reported through `problem`
        value: str | float = data.value or ""
        changed = keyword in corrections or (keyword == "RANGE" and km_per_unit != 1.0)
        # Only values that change, and azimuths, need their number here (build_record checks the rest).
        is_number = (changed or keyword == "ANGLE_1") and _NUMBER.fullmatch(data.value or "") is not None
        if is_number and changed:
            scale = km_per_unit if keyword == "RANGE" else 1.0
            value = (float(value) + corrections.get(keyword, 0.0)) * scale
        if keyword == "ANGLE_1" and is_number:
            angle = float(value)
            if -180.0 <= angle < 0.0:
                value = angle + 360.0 if angle + 360.0 < 360.0 else 0.0
            elif keyword in corrections and 360.0 <= angle < 360.0 + abs(corrections[keyword]):
                value = angle - 360.0  # pushed past north by its correction
        previous = group.values.get(attr)
        if previous is not None and previous[0] != value:
            message = f"{keyword} is given twice for {data.epoch} with different values"
            group.error = (keyword, data.line, message)
            continue
        group.values[attr] = (value, keyword, data.line)

    if problem is None and plan.scale != "UTC":
        instants = [g.epoch for g in groups.values() if isinstance(g.epoch, datetime)]
        try:
            converted = iter(_to_utc(instants, plan.scale)) if instants else iter(())
        except (TimeScaleError, EopError) as exc:
            line = segment.meta.get("TIME_SYSTEM", ("", segment.line))[1]
            problem = ("TIME_SYSTEM", line, f"segment {segment.number}: {exc}")
        else:
            for group in groups.values():
                if isinstance(group.epoch, datetime):
                    group.epoch = next(converted)

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

    if problem is not None and not groups:
        yield RecordError(first_index, problem[1], problem[0], problem[2])
        return
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
        if plan.transmit_legs and isinstance(group.epoch, datetime):
            rng = group.values.get("range_km", ("", "", None))[0]
            try:
                one_way_km = float(rng)
            except ValueError:
                line = segment.meta.get("TIMETAG_REF", ("", group.line))[1]
                message = "TIMETAG_REF = TRANSMIT needs the observation's RANGE to find its receive time"
                yield RecordError(index, line, "TIMETAG_REF", message)
                continue
            raw["ob_time"] = group.epoch + timedelta(seconds=plan.transmit_legs * one_way_km / C_KM_S)
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
