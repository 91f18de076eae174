"""Sensor observation formats: detection, reading and writing.

Formats (names as used by ``fmt``):

* ``"udl-json"`` -- JSON array of objects with UDL field names (:mod:`.udl`);
* ``"csv"`` -- header row with the same names, one row per observation
  (:mod:`.obs_csv`);
* ``"tdm-kvn"`` / ``"tdm-xml"`` -- CCSDS Tracking Data Message (:mod:`.tdm`);
* ``"b3"`` -- the SSN's 80-column B3 observation cards (:mod:`.b3`).

:func:`read_observations` yields, in payload order, an
:class:`ObservationRecord` for each good record and a
:class:`~catalog.formats.errors.RecordError` for each bad one (record number,
line where known, field, reason); reading continues after a bad record. Input
that cannot be read at all raises :class:`~catalog.formats.errors.FormatError`
-- possibly after some records were already yielded, since every reader
streams (CSV and TDM KVN line by line, JSON element by element, TDM XML segment
by segment). Only format-level checks happen here: syntax, units, required
keywords, numbers, time tags, physically possible angles and ranges.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TextIO

from catalog.formats.b3 import looks_like_b3, read_b3, write_b3
from catalog.formats.errors import FormatError, RecordError
from catalog.formats.obs_csv import read_obs_csv, write_obs_csv
from catalog.formats.observations_common import ObservationRecord
from catalog.formats.tdm import read_tdm_kvn, read_tdm_xml, write_tdm
from catalog.formats.udl import read_udl_json, write_udl_json

__all__ = [
    "FORMATS",
    "ObservationRecord",
    "detect_format",
    "read_observations",
    "write_observations",
]

FORMATS = ("udl-json", "csv", "tdm-kvn", "tdm-xml", "b3")
_HEAD_CHARS = 4096
_CHUNK_CHARS = 1 << 16
_EXTENSIONS = {
    ".json": "udl-json",
    ".csv": "csv",
    ".tdm": "tdm-kvn",
    ".kvn": "tdm-kvn",
    ".txt": "tdm-kvn",
    ".xml": "tdm-xml",
    ".b3": "b3",
}
_OB_TIME_HEADER = re.compile(r"(^|[,;\"'\s])obtime($|[,;\"'\s])", re.IGNORECASE)


def detect_format(head: str, filename: str | None = None) -> str:
    """Name the format of a payload from its first characters (and file name).

    The content decides; the file extension is used only when the content is
    not conclusive. Raises :class:`FormatError` when neither tells.
    """
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith(("[", "{")):
        return "udl-json"
    if text.startswith("<"):
        if re.search(r"<(?:\w+:)?(?:tdm|ndm)[\s>]", text) or "CCSDS_TDM_VERS" in text:
            return "tdm-xml"
        root = re.match(r"<(?:\w+:)?(\w+)", re.sub(r"<[?!][^>]*>\s*", "", text))
        kind = f"an {root[1].upper()}, " if root and re.fullmatch(r"o[a-z]m|[a-z]dm", root[1]) else ""
        raise FormatError(f"the XML payload is {kind}not a TDM (<tdm> or <ndm> root expected)")
    if re.match(r"(?:COMMENT[^\n]*\n\s*)*CCSDS_TDM_VERS\s*=", text):
        return "tdm-kvn"
    if other := re.match(r"(?:COMMENT[^\n]*\n\s*)*CCSDS_([A-Z]{3})_VERS\s*=", text):
        raise FormatError(f"the payload is a CCSDS {other[1]}, not a TDM")
    first_line = text.split("\n", 1)[0]
    if _OB_TIME_HEADER.search(first_line):
        return "csv"
    cards = [line for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")]
    if cards and looks_like_b3(cards[0]):
        return "b3"
    if cards and cards[0].startswith("))"):
        raise FormatError("the payload is in the B3 transmission form ('))'); send the archive form")
    if filename:
        lowered = filename.lower()
        for extension, fmt in _EXTENSIONS.items():
            if lowered.endswith(extension):
                return fmt
    raise FormatError(
        "unrecognised observation format: expected UDL-style JSON, CSV with an obTime "
        "column, a CCSDS TDM (KVN or XML) or B3 cards"
    )


def _text_chunks(data: str | bytes | TextIO | BinaryIO) -> Iterator[str]:
    """The payload as text pieces; bytes are decoded as UTF-8 (BOM allowed)."""
    if isinstance(data, str):
        for start in range(0, len(data), _CHUNK_CHARS):
            yield data[start : start + _CHUNK_CHARS]
        return
    stream: TextIO | BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        while chunk := stream.read(_CHUNK_CHARS):
            text = decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
            if text:
                yield text
        if tail := decoder.decode(b"", final=True):
            yield tail
    except UnicodeDecodeError as exc:
        raise FormatError(f"the payload is not UTF-8 text: {exc}") from None


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Split text pieces into lines (ending with their newline)."""
    pending = ""
    for piece in chunks:
        pending += piece
        start = 0
        while (end := pending.find("\n", start)) != -1:
            yield pending[start : end + 1]
            start = end + 1
        pending = pending[start:]
    if pending:
        yield pending


def read_observations(
    data: str | bytes | TextIO | BinaryIO, fmt: str | None = None, *, filename: str | None = None
) -> Iterator[ObservationRecord | RecordError]:
    """Read observations from text, UTF-8 bytes, or a text or binary stream.

    ``fmt`` is one of :data:`FORMATS`; when None it is detected from the first
    characters (and ``filename``).
    """
    chunks = _text_chunks(data)
    head: list[str] = []
    size = 0
    while size < _HEAD_CHARS and (piece := next(chunks, None)) is not None:
        head.append(piece.removeprefix("\ufeff") if not head else piece)
        size += len(piece)
    if fmt is None:
        fmt = detect_format("".join(head), filename)
    text = itertools.chain(head, chunks)
    if fmt == "udl-json":
        return read_udl_json(text)
    if fmt == "csv":
        return read_obs_csv(_lines(text))
    if fmt == "tdm-kvn":
        return read_tdm_kvn(_lines(text))
    if fmt == "tdm-xml":
        return read_tdm_xml(text)
    if fmt == "b3":
        return read_b3(_lines(text))
    raise FormatError(f"unknown observation format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_observations(records: Iterable[ObservationRecord], fmt: str, out: TextIO) -> int:
    """Write records in ``fmt`` (one of :data:`FORMATS`) to ``out``; return the count.

    Raises :class:`FormatError` for a record the format cannot carry (e.g. a TDM
    RA/Dec frame other than J2000 or ICRF). TDM does not carry uncertainties,
    SNR, data mode or client ids; JSON and CSV carry every field.
    """
    if fmt == "udl-json":
        return write_udl_json(records, out)
    if fmt == "csv":
        return write_obs_csv(records, out)
    if fmt in ("tdm-kvn", "tdm-xml"):
        return write_tdm(records, out, xml_form=fmt == "tdm-xml")
    if fmt == "b3":
        return write_b3(records, out)
    raise FormatError(f"unknown observation format {fmt!r}; expected one of {', '.join(FORMATS)}")
