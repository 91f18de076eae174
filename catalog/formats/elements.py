"""Reading and writing element sets: TLE/3LE and CCSDS OMM (KVN, XML, JSON, CSV).

    for item in read_elements(open("gp.json")):
        if isinstance(item, RecordError): ...   # a rejected record, with its reason
        else: ...                               # an ElementSetRecord, validated

Every record is checked: required fields present, numbers parse, values in
their physical range, TLE checksums and line/catalog-number agreement, and
SGP4 must initialise and propagate at epoch.  A bad record is reported as a
RecordError and reading goes on with the next one.  A file that cannot be
read at all raises FormatError.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from .elements_io import TextSource
from .errors import FormatError, RecordError
from .omm_csv import read_omm_csv, write_omm_csv
from .omm_json import read_omm_json, write_omm_json
from .omm_kvn import read_omm_kvn, write_omm_kvn
from .omm_xml import read_omm_xml, write_omm_xml
from .records import ElementSetRecord
from .tle import TLEWriteError, format_tle, read_tle

__all__ = [
    "FORMATS",
    "ElementSetRecord",
    "FormatError",
    "RecordError",
    "detect_format",
    "read_elements",
    "write_elements",
]

FORMATS = ("tle", "omm-json", "omm-xml", "omm-csv", "omm-kvn")

_XML_PROLOG = re.compile(r"<\?.*?\?>|<!--.*?-->|\s+", re.DOTALL)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_TLE_LINE1 = re.compile(r"1 [ 0-9A-Z]{4}[0-9]")
_TLE_LINE2 = re.compile(r"2 [ 0-9A-Z]{4}[0-9]")
_KVN_VERS = re.compile(r"(CCSDS_[A-Z]+_VERS)\s*=", re.IGNORECASE)


def _xml_root(head: str) -> str | None:
    pos = 0
    while True:
        m = _XML_PROLOG.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    if head.startswith("<!DOCTYPE", pos):
        raise FormatError("XML with a DOCTYPE declaration is not accepted")
    root = _XML_ROOT.match(head, pos)
    return root.group(1).rsplit(":", 1)[-1] if root else None


def detect_format(head: str) -> str:
    """Guess the format from the first few kilobytes of a file.

    Returns one of FORMATS; raises FormatError when none fits.
    """
    text = head.removeprefix("\ufeff").lstrip()
    if not text:
        raise FormatError("the file is empty")
    if text.startswith("<"):
        root = _xml_root(text)
        if root in ("omm", "ndm"):
            return "omm-xml"
        raise FormatError(f"XML root <{root}> is not an OMM (expected <omm> or <ndm>)")
    if text[0] in "[{":
        return "omm-json"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.upper().startswith("COMMENT") and not line.startswith("#")]
    if not lines:
        raise FormatError("the file holds only comments")
    first = lines[0]
    vers = _KVN_VERS.match(first)
    if vers:
        if vers.group(1).upper() == "CCSDS_OMM_VERS":
            return "omm-kvn"
        raise FormatError(f"{vers.group(1).upper()} file is not an OMM")
    # A TLE file may open with prose lines: any line 1 followed by its line 2 in the head decides.
    for line, following in itertools.pairwise(lines):
        if _TLE_LINE1.match(line) and _TLE_LINE2.match(following):
            return "tle"
    header = {cell.strip().strip('"').upper() for cell in first.split(",")}
    if {"EPOCH", "NORAD_CAT_ID"} <= header:
        return "omm-csv"
    raise FormatError("unknown element-set format (expected TLE/3LE, or OMM as KVN, XML, JSON or CSV)")


def read_elements(
    stream: TextIO | Iterable[str], fmt: str | None = None
) -> Iterator[ElementSetRecord | RecordError]:
    """Stream the element sets of ``stream`` (a text file, or an iterable of lines).

    ``fmt`` is one of FORMATS, or None to detect it from the head of the
    file.  Raises FormatError at once for an unknown or undetectable format;
    each record then comes out as an ElementSetRecord or a RecordError.
    """
    source = TextSource(stream)
    if fmt is None:
        fmt = detect_format(source.head())
    if fmt == "tle":
        return read_tle(source.lines())
    if fmt == "omm-kvn":
        return read_omm_kvn(source.lines())
    if fmt == "omm-csv":
        return read_omm_csv(source.lines())
    if fmt == "omm-json":
        return read_omm_json(source.chunks())
    if fmt == "omm-xml":
        return read_omm_xml(source.chunks())
    raise FormatError(f"unknown element-set format {fmt!r} (expected one of {', '.join(FORMATS)})")


def _write_tle(records: Iterable[ElementSetRecord], out: TextIO) -> list[RecordError]:
    errors: list[RecordError] = []
    for index, rec in enumerate(records, 1):
        try:
            line1, line2 = format_tle(rec)
        except TLEWriteError as exc:
            errors.append(RecordError(index, None, exc.field, str(exc)))
            continue
        if rec.object_name:
            out.write(f"0 {rec.object_name}\n")
        out.write(f"{line1}\n{line2}\n")
    return errors


def write_elements(records: Iterable[ElementSetRecord], fmt: str, out: TextIO) -> list[RecordError]:
    """Write ``records`` to ``out`` in ``fmt`` (one of FORMATS).

    Returns a RecordError (numbered by position in ``records``, 1-based) for
    each record that cannot be expressed in the format; the others are
    written.  Only TLE has such limits: catalog numbers above 339999 (the
    alpha-5 maximum) and values too large for their columns.  TLE output
    carries a '0 NAME' line when the record has a name (3LE).
    """
    if fmt == "tle":
        return _write_tle(records, out)
    if fmt == "omm-kvn":
        return write_omm_kvn(records, out)
    if fmt == "omm-xml":
        return write_omm_xml(records, out)
    if fmt == "omm-json":
        return write_omm_json(records, out)
    if fmt == "omm-csv":
        return write_omm_csv(records, out)
    raise FormatError(f"unknown element-set format {fmt!r} (expected one of {', '.join(FORMATS)})")
