"""A bounded pager counts no further than its limit, whatever it pages: a marked queryset (see
tests/observations/test_explorer_at_scale.py), an unmarked one, or a list."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import Nation
from portal.tables import BoundedMarkedPaginator


class Limited(BoundedMarkedPaginator):
    limit = 25


def test_a_list_longer_than_the_limit_is_counted_to_the_limit() -> None:
    pager = Limited(list(range(30)), 10)
    assert (pager.count, pager.beyond_limit, pager.num_pages) == (25, True, 3)
    assert pager.marking is None


def test_a_list_within_the_limit_is_counted_exactly() -> None:
    pager = Limited(list(range(25)), 10)
    assert (pager.count, pager.beyond_limit) == (25, False)


@pytest.mark.django_db
def test_an_unmarked_queryset_is_counted_in_the_database_to_the_limit(
    coalition: Any, django_assert_num_queries: Any
) -> None:
    nations = Nation.objects.order_by("pk")
    total = nations.count()
    assert total > 25
    pager = Limited(nations, 10)
    with django_assert_num_queries(1):
        assert (pager.count, pager.beyond_limit) == (25, True)
