"""Error types shared by the catalog file formats (element sets and observations)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FormatError", "RecordError"]


@dataclass(frozen=True)
class RecordError:
    """One record of a file that could not be accepted.

    ``record`` is the 1-based number of the record in the file; ``line`` the
    1-based line in the file where the problem was found, when known;
    ``field`` the name of the offending field, when one field is to blame.
    """

    record: int
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"record {self.record}"
        if self.line is not None:
            where += f" (line {self.line})"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class FormatError(ValueError):
    """The file cannot be read at all (unknown format, unreadable structure)."""
