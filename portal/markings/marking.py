"""The `Marking` value object: classification level plus releasability.

Banner form: ``SECRET//REL TO USA, GBR``; portion form: ``S//REL``. A marking is either NOFORN
(US persons only) or releasable to a set of nations that always includes USA. Bare
``UNCLASSIFIED`` is releasable to every registered nation; every other level must say to whom
it is releasable, so that a missing caveat can never be read as "releasable".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from functools import reduce
from typing import Protocol

from portal.markings.nations import ALL_NATIONS, FVEY, NATION_NAMES, US


class MarkingError(ValueError):
    """A marking that cannot be parsed or is not allowed."""


class Level(IntEnum):
    UNCLASSIFIED = 0
    CUI = 1
    CONFIDENTIAL = 2
    SECRET = 3
    TOP_SECRET = 4

    @property
    def banner(self) -> str:
        return _BANNER_NAMES[self]

    @property
    def abbreviation(self) -> str:
        return _ABBREVIATIONS[self]


_BANNER_NAMES = {
    Level.UNCLASSIFIED: "UNCLASSIFIED",
    Level.CUI: "CUI",
    Level.CONFIDENTIAL: "CONFIDENTIAL",
    Level.SECRET: "SECRET",
    Level.TOP_SECRET: "TOP SECRET",
}
_ABBREVIATIONS = {
    Level.UNCLASSIFIED: "U",
    Level.CUI: "CUI",
    Level.CONFIDENTIAL: "C",
    Level.SECRET: "S",
    Level.TOP_SECRET: "TS",
}
_LEVEL_WORDS: dict[str, Level] = {}
for _level in Level:
    _LEVEL_WORDS[_BANNER_NAMES[_level]] = _level
    _LEVEL_WORDS[_ABBREVIATIONS[_level]] = _level
_LEVEL_WORDS["TOP_SECRET"] = Level.TOP_SECRET

_NOFORN_WORDS = {"NOFORN", "NF"}
_TRIGRAPH = re.compile(r"^[A-Z]{3}$")


class Person(Protocol):
    """What a marking needs to know about a reader."""

    @property
    def clearance(self) -> int | None: ...

    @property
    def nationality(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Marking:
    level: Level
    noforn: bool = False
    rel_to: frozenset[str] = frozenset({US})

    def __post_init__(self) -> None:
        if not isinstance(self.level, Level):
            object.__setattr__(self, "level", Level(self.level))
        if self.noforn:
            object.__setattr__(self, "rel_to", frozenset({US}))
            return
        unknown = sorted(self.rel_to - ALL_NATIONS)
        if unknown:
            raise MarkingError(f"unknown nation(s) in releasability: {', '.join(unknown)}")
        if US not in self.rel_to:
            raise MarkingError("a REL TO list must include USA")
        if self.rel_to == frozenset({US}):
            # Releasable to the US alone is what NOFORN means.
            object.__setattr__(self, "noforn", True)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def unclassified(cls) -> Marking:
        return cls(Level.UNCLASSIFIED, rel_to=ALL_NATIONS)

    @classmethod
    def parse(cls, text: str | None) -> Marking:
        """Read a banner or portion marking, e.g. ``SECRET//REL TO USA, GBR`` or ``(S//NF)``."""
        if text is None or not str(text).strip():
            raise MarkingError("a marking is required")
        raw = str(text).strip().upper()
        if raw.startswith("(") and raw.endswith(")"):
            raw = raw[1:-1].strip()
        parts = [part.strip() for part in raw.split("//")]
        level_word = parts[0]
        if level_word not in _LEVEL_WORDS:
            raise MarkingError(f"unknown classification level {parts[0]!r} in {text!r}")
        level = _LEVEL_WORDS[level_word]
        caveats = parts[1:]
        if not caveats:
            if level is Level.UNCLASSIFIED:
                return cls.unclassified()
            raise MarkingError(f"{text!r}: {level.banner} needs a releasability (REL TO ... or NOFORN)")
        if len(caveats) > 1:
            raise MarkingError(f"{text!r}: only one dissemination control is supported")
        caveat = caveats[0]
        if caveat in _NOFORN_WORDS:
            return cls(level, noforn=True)
        if not caveat.startswith("REL TO "):
            raise MarkingError(f"{text!r}: unknown dissemination control {caveat!r}")
        return cls(level, rel_to=_parse_rel_to(caveat[len("REL TO ") :], text))

    @classmethod
    def combine(cls, *markings: Marking) -> Marking:
        """The marking of a product derived from all of `markings`."""
        if not markings:
            raise MarkingError("combine needs at least one marking")
        return reduce(_combine_two, markings)

    # -- reading ------------------------------------------------------------------------------

    @property
    def releasable_to_all(self) -> bool:
        return not self.noforn and self.rel_to == ALL_NATIONS

    @property
    def banner(self) -> str:
        if self.noforn:
            return f"{self.level.banner}//NOFORN"
        if self.releasable_to_all and self.level is Level.UNCLASSIFIED:
            return self.level.banner
        return f"{self.level.banner}//REL TO {', '.join(self.ordered_rel_to())}"

    @property
    def portion(self) -> str:
        if self.noforn:
            return f"{self.level.abbreviation}//NF"
        if self.releasable_to_all and self.level is Level.UNCLASSIFIED:
            return self.level.abbreviation
        return f"{self.level.abbreviation}//REL"

    def no_looser_than(self, other: Marking) -> bool:
        """True when this marking protects at least as much as `other`: level at least as high
        and releasable to no nation `other` is not releasable to (NOFORN if `other` is). Moving
        a record from `other` to this is a raise; anything else is a downgrade."""
        if self.level < other.level:
            return False
        if self.noforn:
            return True
        return not other.noforn and self.rel_to <= other.rel_to

    def ordered_rel_to(self) -> list[str]:
        return [US, *sorted(self.rel_to - {US})]

    def allows(self, person: Person | None) -> bool:
        """True when `person` may read a record with this marking. Unknown means no."""
        if person is None or not getattr(person, "is_authenticated", True):
            return False
        clearance = getattr(person, "clearance", None)
        nationality = getattr(person, "nationality", None)
        if clearance is None or nationality not in NATION_NAMES:
            return False
        if int(clearance) < self.level:
            return False
        return nationality == US or (not self.noforn and nationality in self.rel_to)

    def refusal_for(self, person: Person | None, noun: str = "record") -> str | None:
        """Why `person` may not give a `noun` this marking (None if they may): its level is
        above their clearance, or it is not releasable to their nation."""
        if self.allows(person):
            return None
        clearance = getattr(person, "clearance", None)
        if clearance is None or int(clearance) < self.level:
            return f"{self.banner} is above your clearance. You cannot mark a {noun} above what you may read."
        nation = getattr(person, "nationality", None) or "your nation"
        return (
            f"{self.banner} is not releasable to {nation}. "
            f"You cannot mark a {noun} so that you could not read it."
        )

    def __str__(self) -> str:
        return self.banner

    def __repr__(self) -> str:
        return f"Marking.parse({self.banner!r})"


def _parse_rel_to(listing: str, text: str) -> frozenset[str]:
    codes: set[str] = set()
    for item in (entry.strip() for entry in listing.split(",")):
        if item == "FVEY":
            codes |= FVEY
        elif _TRIGRAPH.match(item) and item in NATION_NAMES:
            codes.add(item)
        else:
            raise MarkingError(f"{text!r}: {item!r} is not a registered nation trigraph")
    if not codes or US not in codes:
        raise MarkingError(f"{text!r}: a REL TO list must start with USA")
    first = listing.split(",")[0].strip()
    if first != US:
        raise MarkingError(f"{text!r}: a REL TO list must start with USA")
    return frozenset(codes)


def _combine_two(a: Marking, b: Marking) -> Marking:
    level = max(a.level, b.level)
    if a.noforn or b.noforn:
        return Marking(level, noforn=True)
    return Marking(level, rel_to=a.rel_to & b.rel_to)
