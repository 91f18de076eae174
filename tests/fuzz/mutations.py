"""Hostile variations of valid payloads, for the fuzzers: a few edits (insertions of hostile
pieces, deletions, numbers swapped for extreme ones) at positions hypothesis chooses."""

from __future__ import annotations

import re

from hypothesis import strategies as st

HOSTILE = [
    "\x00",
    "\ud800",
    "\udfff",
    "\ufeff",
    "1" + "0" * 400,
    "9" * 5000,
    "1e400",
    "-1e309",
    "NaN",
    "Infinity",
    "-0",
    "99999999999999999999",
    "\r",
    "\n",
    "\n\n",
    "\t",
    '"',
    "'",
    ",",
    ";",
    "=",
    "[",
    "]",
    "{",
    "}",
    "[" * 200,
    "<",
    ">",
    "&",
    "&amp;",
    "&xxe;",
    "<!DOCTYPE omm [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>",
    "<![CDATA[x]]>",
    "//",
    " " * 80,
    "#",
    "COMMENT ",
    "META_START\n",
    "DATA_STOP\n",
    "é",
    "\u202e",
    "\U0001f600",
    "0 ",
    "1 25544U",
    "2 25544",
]
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")

pieces = st.sampled_from(HOSTILE) | st.text(max_size=6)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` after one to four hostile edits."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "number", "truncate"]))
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "insert":
            text = text[:at] + draw(pieces) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "replace":
            text = text[:at] + draw(pieces) + text[at + 1 :]
        elif kind == "truncate":
            text = text[:at]
        else:
            numbers = list(_NUMBER.finditer(text))
            if numbers:
                found = numbers[draw(st.integers(0, len(numbers) - 1))]
                text = text[: found.start()] + draw(st.sampled_from(HOSTILE[4:12])) + text[found.end() :]
    return text


def hostile(text: str) -> st.SearchStrategy[str]:
    """Mutations of `text`, and now and then text of no format at all."""
    return mutated(text) | st.text(max_size=200)
