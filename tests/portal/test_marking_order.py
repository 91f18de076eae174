"""`no_looser_than`: which marking changes are raises and which are downgrades, in Python and SQL."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import pytest

from portal.markings import Marking
from portal.markings.models import marking_columns
from portal.markings.nations import NATION_NAMES
from portal.models import Notice, SpOC


@dataclass
class Reader:
    nationality: str
    clearance: int
    is_authenticated: bool = True


M = Marking.parse

SAMPLES = [
    "UNCLASSIFIED",
    "CUI//REL TO USA, FVEY",
    "CONFIDENTIAL//REL TO USA, GBR",
    "CONFIDENTIAL//REL TO USA, GBR, FRA",
    "SECRET//REL TO USA, AUS",
    "SECRET//REL TO USA, GBR",
    "SECRET//NOFORN",
    "TOP SECRET//NOFORN",
    "TOP SECRET//REL TO USA, FVEY",
]


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        ("SECRET//REL TO USA, GBR", "CONFIDENTIAL//REL TO USA, GBR", True),  # higher level
        ("CONFIDENTIAL//REL TO USA, GBR", "CONFIDENTIAL//REL TO USA, GBR, FRA", True),  # narrower
        ("CONFIDENTIAL//NOFORN", "CONFIDENTIAL//REL TO USA, GBR", True),  # NOFORN added
        ("UNCLASSIFIED", "CONFIDENTIAL//REL TO USA, GBR", False),  # lower level
        ("CONFIDENTIAL//REL TO USA, GBR, FRA", "CONFIDENTIAL//REL TO USA, GBR", False),  # wider
        ("SECRET//REL TO USA, GBR", "SECRET//NOFORN", False),  # NOFORN removed
        ("TOP SECRET//REL TO USA, AUS", "SECRET//REL TO USA, GBR", False),  # higher but moved
        ("SECRET//NOFORN", "SECRET//NOFORN", True),  # unchanged
    ],
)
def test_raises_and_downgrades(new: str, old: str, expected: bool) -> None:
    assert M(new).no_looser_than(M(old)) is expected


def test_no_looser_means_every_reader_of_the_new_marking_could_read_the_old() -> None:
    """The definition, checked over every nation and clearance: a raise never adds a reader."""
    readers = [Reader(n, c) for n in NATION_NAMES for c in range(5)]
    for new, old in product(SAMPLES, SAMPLES):
        adds_no_reader = all(M(old).allows(r) for r in readers if M(new).allows(r))
        same_or_higher_level = M(new).level >= M(old).level
        assert M(new).no_looser_than(M(old)) == (adds_no_reader and same_or_higher_level), (new, old)


@pytest.mark.django_db
def test_the_sql_form_agrees_with_python(coalition: Any) -> None:
    spoc = SpOC.objects.first()
    rows = {
        text: Notice.objects.create(title=text, body="", spoc=spoc, **marking_columns(text)).pk
        for text in SAMPLES
    }
    for candidate in SAMPLES:
        looser = set(
            Notice.objects.filter(pk__in=rows.values()).looser_than(M(candidate)).values_list("pk", flat=True)
        )
        expected = {pk for text, pk in rows.items() if not M(candidate).no_looser_than(M(text))}
        assert looser == expected, candidate
