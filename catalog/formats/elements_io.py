"""Text input for the element-set readers: peek at the head, then stream."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

__all__ = ["TextSource"]

_CHUNK = 1 << 16


class TextSource:
    """Wraps a text stream (anything with ``read``) or an iterable of lines.

    Items of a plain iterable are taken to be lines; a missing line ending is
    added.  ``head()`` peeks without consuming; ``chunks()`` and ``lines()``
    then deliver the whole text once, head included, a byte-order mark removed.
    """

    def __init__(self, stream: TextIO | Iterable[str]) -> None:
        self._pending: list[str] = []
        self._started = False
        self._read: Callable[[], str]
        read = getattr(stream, "read", None)
        if callable(read):
            self._read = lambda: str(read(_CHUNK))
        else:
            items = iter(stream)

            def next_line() -> str:
                for item in items:
                    if item == "":
                        continue
                    return item if item.endswith(("\n", "\r")) else item + "\n"
                return ""

            self._read = next_line

    def _next(self) -> str:
        text = self._read()
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        return text

    def head(self, size: int = 8192) -> str:
        """At least ``size`` characters from the start (fewer at end of input)."""
        have = sum(len(p) for p in self._pending)
        while have < size:
            text = self._next()
            if not text:
                break
            self._pending.append(text)
            have += len(text)
        return "".join(self._pending)

    def chunks(self) -> Iterator[str]:
        while self._pending:
            yield self._pending.pop(0)
        while True:
            text = self._next()
            if not text:
                return
            yield text

    def lines(self) -> Iterator[str]:
        rest = ""
        for chunk in self.chunks():
            parts = (rest + chunk).splitlines(keepends=True)
            rest = ""
            if parts and not parts[-1].endswith(("\n", "\r")):
                rest = parts.pop()
            elif parts and parts[-1].endswith("\r"):
                # a '\r\n' pair may be split across chunks
                rest = parts.pop()
            yield from parts
        if rest:
            yield rest
