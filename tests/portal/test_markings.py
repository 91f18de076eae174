"""Markings: parsing, combining and the access rule of classification and releasability."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.markings import Level, Marking, MarkingError
from portal.markings.nations import ALL_NATIONS, FVEY, NATION_NAMES


@dataclass
class Reader:
    nationality: str
    clearance: int
    is_authenticated: bool = True


def test_banner_form_parses_and_prints_back() -> None:
    marking = Marking.parse("SECRET//REL TO USA, GBR")
    assert marking.level is Level.SECRET
    assert marking.rel_to == {"USA", "GBR"}
    assert str(marking) == "SECRET//REL TO USA, GBR"
    assert marking.portion == "S//REL"


def test_portion_forms_and_abbreviations_parse() -> None:
    assert Marking.parse("(S//NF)") == Marking.parse("SECRET//NOFORN")
    assert Marking.parse("ts//rel to usa, aus") == Marking.parse("TOP SECRET//REL TO USA, AUS")
    assert Marking.parse("U").banner == "UNCLASSIFIED"
    assert Marking.parse("CUI//NOFORN").portion == "CUI//NF"


def test_fvey_expands_to_its_five_members() -> None:
    assert Marking.parse("SECRET//REL TO USA, FVEY").rel_to == FVEY
    assert str(Marking.parse("SECRET//REL TO USA, FVEY")) == "SECRET//REL TO USA, AUS, CAN, GBR, NZL"


def test_rel_to_usa_alone_is_noforn() -> None:
    assert Marking.parse("SECRET//REL TO USA") == Marking.parse("SECRET//NOFORN")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "SECRET",
        "CONFIDENTIAL",
        "CUI",
        "SECRUT//NOFORN",
        "SECRET//REL TO GBR, USA",
        "SECRET//REL TO GBR",
        "SECRET//REL TO USA, XXX",
        "SECRET//REL TO USA, GB",
        "SECRET//ORCON",
        "SECRET//NOFORN//REL TO USA",
        "SECRET//REL TO USA,, GBR",
    ],
)
def test_invalid_or_missing_markings_are_rejected(text: str | None) -> None:
    with pytest.raises(MarkingError):
        Marking.parse(text)


def test_combine_takes_highest_level_and_intersection() -> None:
    a = Marking.parse("CUI//REL TO USA, GBR, AUS")
    b = Marking.parse("SECRET//REL TO USA, GBR, FRA")
    assert Marking.combine(a, b) == Marking.parse("SECRET//REL TO USA, GBR")


def test_combine_with_noforn_is_noforn() -> None:
    combined = Marking.combine(Marking.parse("U"), Marking.parse("CUI//NOFORN"))
    assert combined == Marking.parse("CUI//NOFORN")


def test_an_intersection_of_only_usa_becomes_noforn() -> None:
    combined = Marking.combine(Marking.parse("S//REL TO USA, GBR"), Marking.parse("C//REL TO USA, FRA"))
    assert combined.noforn
    assert combined.banner == "SECRET//NOFORN"


def test_allows_follows_clearance_and_nationality() -> None:
    marking = Marking.parse("SECRET//REL TO USA, GBR")
    assert marking.allows(Reader("USA", Level.SECRET))
    assert marking.allows(Reader("GBR", Level.TOP_SECRET))
    assert not marking.allows(Reader("GBR", Level.CONFIDENTIAL))
    assert not marking.allows(Reader("AUS", Level.TOP_SECRET))
    assert Marking.parse("S//NOFORN").allows(Reader("USA", Level.SECRET))
    assert not Marking.parse("S//NOFORN").allows(Reader("GBR", Level.TOP_SECRET))


def test_unknown_readers_are_never_allowed() -> None:
    public = Marking.unclassified()
    assert not public.allows(None)
    assert not public.allows(Reader("XXX", Level.TOP_SECRET))
    assert not public.allows(Reader("USA", Level.TOP_SECRET, is_authenticated=False))


# -- properties --------------------------------------------------------------------------------

nations = st.sampled_from(sorted(ALL_NATIONS - {"USA"}))
levels = st.sampled_from(list(Level))


@st.composite
def markings(draw: st.DrawFn) -> Marking:
    level = draw(levels)
    kind = draw(st.sampled_from(["noforn", "rel", "all"]))
    if kind == "noforn":
        return Marking(level, noforn=True)
    if kind == "all":
        return Marking(level, rel_to=ALL_NATIONS)
    return Marking(level, rel_to=frozenset({"USA", *draw(st.sets(nations, max_size=6))}))


readers = st.builds(Reader, st.sampled_from(sorted(NATION_NAMES)), levels)


@given(markings())
def test_parse_of_banner_is_identity(m: Marking) -> None:
    assert Marking.parse(str(m)) == m


@given(markings(), markings())
def test_combine_is_commutative(a: Marking, b: Marking) -> None:
    assert Marking.combine(a, b) == Marking.combine(b, a)


@given(markings(), markings(), markings())
def test_combine_is_associative(a: Marking, b: Marking, c: Marking) -> None:
    assert Marking.combine(Marking.combine(a, b), c) == Marking.combine(a, Marking.combine(b, c))


@given(markings())
def test_combine_is_idempotent(m: Marking) -> None:
    assert Marking.combine(m, m) == m


@given(st.lists(markings(), min_size=1, max_size=5), readers)
def test_a_combined_marking_allows_no_one_a_part_refuses(parts: list[Marking], reader: Reader) -> None:
    if Marking.combine(*parts).allows(reader):
        assert all(part.allows(reader) for part in parts)
