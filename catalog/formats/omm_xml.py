"""OMM in XML (CCSDS 502.0-B-3 with the NDM/XML schema).

Accepts a bare ``<omm>`` root or an ``<ndm>`` combined instantiation holding
several ``<omm>`` children, with or without namespace prefixes.  Parsing is
streamed with expat so that line numbers are known; DTDs are refused.
User-defined parameters (``<USER_DEFINED parameter="OBJECT_TYPE">``) are read
as ``USER_DEFINED_OBJECT_TYPE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TextIO
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from .errors import FormatError, RecordError
from .omm import CCSDS_OMM_VERS, SATCAT_FIELDS, UNKNOWN, fields_from_record, format_epoch, record_from_fields
from .records import ElementSetRecord

__all__ = ["read_omm_xml", "write_omm_xml"]

ORIGINATOR = "COALITION SDA PORTAL"
_SCHEMA = "https://sanaregistry.org/r/ndmxml_unqualified/ndmxml-3.0.0-master-3.0.xsd"


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


class _Handler:
    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.stack: list[str] = []
        self.has_child: list[bool] = []
        self.text: list[str] = []
        self.param: str | None = None
        self.record = 0
        self.in_omm = False
        self.fields: dict[str, str] = {}
        self.lines: dict[str, int] = {}
        self.start_line = 0
        self.done: list[ElementSetRecord | RecordError] = []
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.entity

    def doctype(self, *args: object) -> None:
        raise FormatError("XML with a DOCTYPE declaration is not accepted")

    def entity(self, *args: object) -> None:
        raise FormatError("XML entity declarations are not accepted")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        line = self.parser.CurrentLineNumber
        if not self.stack and local not in ("omm", "ndm"):
            raise FormatError(f"XML root <{local}> is not an OMM (expected <omm> or <ndm>)")
        if self.has_child:
            self.has_child[-1] = True
        self.stack.append(local)
        self.has_child.append(False)
        self.text = []
        if local == "omm":
            self.record += 1
            self.in_omm = True
            self.fields, self.lines = {}, {}
            self.start_line = line
        elif len(self.stack) == 2 and self.stack[0] == "ndm" and local != "COMMENT":
            self.record += 1
            self.done.append(
                RecordError(self.record, line, None, f"<{local}> in <ndm> is not an OMM; skipped")
            )
        if self.in_omm:
            self.param = attrs.get("parameter")
            self.lines.setdefault(self._key(local), line)

    def _key(self, local: str) -> str:
        if local == "USER_DEFINED" and self.param:
            return "USER_DEFINED_" + self.param.strip().upper()
        return local.upper()

    def chars(self, data: str) -> None:
        self.text.append(data)

    def end(self, name: str) -> None:
        local = self.stack.pop()
        leaf = not self.has_child.pop()
        if local == "omm" and self.in_omm:
            self.in_omm = False
            self.done.append(record_from_fields(self.fields, self.record, self.start_line, self.lines))
        elif self.in_omm and leaf and local != "COMMENT":
            key = self._key(local)
            self.fields.setdefault(key, "".join(self.text).strip())
        self.text = []


def read_omm_xml(chunks: Iterable[str]) -> Iterator[ElementSetRecord | RecordError]:
    """Read OMM XML text given in chunks, one item per ``<omm>``."""
    parser = expat.ParserCreate(encoding="utf-8")
    handler = _Handler(parser)
    try:
        for chunk in chunks:
            # A lone surrogate (from a JSON string escape) becomes bytes expat refuses as XML.
            parser.Parse(chunk.encode("utf-8", "surrogatepass"), False)
            yield from handler.done
            handler.done.clear()
        parser.Parse(b"", True)
        yield from handler.done
    except expat.ExpatError as exc:
        yield from handler.done
        if handler.record == 0:
            raise FormatError(f"not well-formed XML: {exc}") from None
        record = handler.record if handler.in_omm else handler.record + 1
        yield RecordError(record, exc.lineno, None, f"not well-formed XML: {exc}")


def write_omm_xml(records: Iterable[ElementSetRecord], out: TextIO) -> list[RecordError]:
    """Write an ``<ndm>`` holding one ``<omm>`` per record.

    OBJECT_NAME and OBJECT_ID are mandatory in an OMM: a record without them
    is written with UNKNOWN (and reads back so).
    """
    created = format_epoch(datetime.now(UTC))
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        '<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:noNamespaceSchemaLocation="{_SCHEMA}">\n'
    )

    def leaf(indent: int, key: str, text: str | None) -> None:
        if text is not None:
            out.write(f"{' ' * indent}<{key}>{escape(text)}</{key}>\n")

    for rec in records:
        f = fields_from_record(rec)
        out.write(f'  <omm id="CCSDS_OMM_VERS" version="{CCSDS_OMM_VERS}">\n')
        out.write("    <header>\n")
        leaf(6, "CREATION_DATE", created)
        leaf(6, "ORIGINATOR", ORIGINATOR)
        out.write("    </header>\n    <body>\n      <segment>\n        <metadata>\n")
        leaf(10, "OBJECT_NAME", f["OBJECT_NAME"] or UNKNOWN)
        leaf(10, "OBJECT_ID", f["OBJECT_ID"] or UNKNOWN)
        leaf(10, "CENTER_NAME", "EARTH")
        leaf(10, "REF_FRAME", "TEME")
        leaf(10, "TIME_SYSTEM", "UTC")
        leaf(10, "MEAN_ELEMENT_THEORY", "SGP4")
        out.write("        </metadata>\n        <data>\n          <meanElements>\n")
        for key in (
            "EPOCH",
            "MEAN_MOTION",
            "ECCENTRICITY",
            "INCLINATION",
            "RA_OF_ASC_NODE",
            "ARG_OF_PERICENTER",
            "MEAN_ANOMALY",
        ):
            leaf(12, key, f[key])
        out.write("          </meanElements>\n          <tleParameters>\n")
        for key in (
            "EPHEMERIS_TYPE",
            "CLASSIFICATION_TYPE",
            "NORAD_CAT_ID",
            "ELEMENT_SET_NO",
            "REV_AT_EPOCH",
            "BSTAR",
            "MEAN_MOTION_DOT",
            "MEAN_MOTION_DDOT",
        ):
            leaf(12, key, f[key])
        out.write("          </tleParameters>\n")
        user = [(key, f[key]) for key in SATCAT_FIELDS if f[key] is not None]
        if user:
            out.write("          <userDefinedParameters>\n")
            for key, text in user:
                out.write(
                    f"            <USER_DEFINED parameter={quoteattr(key)}>"
                    f"{escape(text or '')}</USER_DEFINED>\n"
                )
            out.write("          </userDefinedParameters>\n")
        out.write("        </data>\n      </segment>\n    </body>\n  </omm>\n")
    out.write("</ndm>\n")
    return []
