"""Several marked counts over the same rows come from one query, each with the marking of what
it counts, exactly as one `count_and_marking` per subset would give."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models import Notice, SpOC, User


def notices(spoc: SpOC) -> Any:
    for title, marking in [
        ("Bench A", "UNCLASSIFIED"),
        ("Bench B", "CUI//REL TO USA, GBR, AUS"),
        ("Bench C", "SECRET//REL TO USA, GBR"),
    ]:
        Notice.objects.create(title=title, body="-", spoc=spoc, **marking_columns(marking))
    return Notice.objects.filter(title__startswith="Bench")


def test_each_subset_gets_its_own_count_and_marking_in_one_query(
    coalition: dict[str, User], django_assert_num_queries: Any
) -> None:
    rows = notices(SpOC.objects.get(code="uk-spoc"))
    with django_assert_num_queries(1):
        figures = rows.counts_and_markings(
            all=None, above_cui=Q(classification_level__gte=1), none=Q(title="nothing")
        )
    assert figures["all"] == (3, Marking.parse("SECRET//REL TO USA, GBR"))
    assert figures["above_cui"] == (2, Marking.parse("SECRET//REL TO USA, GBR"))
    assert figures["none"] == (0, None)
    assert rows.filter(classification_level__lt=2).count_and_marking() == (
        2,
        Marking.parse("CUI//REL TO USA, GBR, AUS"),
    )
