"""Sortable, searchable, numbered lists: the one way every list page orders, searches and pages.

A page names the sort keys it offers (`?sort=key` ascending, `?sort=-key` descending), each
mapped to the columns it orders by, and the fields a free-text `?q=` searches. An unknown sort
key is a 400 that lists the keys offered (never a 500). The total and the page numbers come
from the paginator over the page's own queryset, which is already restricted by
`visible_to(user)`: a total never counts rows the reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.functional import cached_property

from portal.errors import DomainError
from portal.markings.marking import Marking
from portal.markings.models import MarkedQuerySet

PAGE_SIZE = 50
SEARCH_MAX = 100


class BadTableParameter(DomainError):
    status = 400


@dataclass(frozen=True)
class Table:
    """What a list offers: sort keys (key -> order_by columns), the default, searched fields."""

    sorts: dict[str, tuple[str, ...]]
    default: str
    search: tuple[str, ...] = ()

    def sort_of(self, request: HttpRequest, param: str = "sort") -> str:
        value = request.GET.get(param, "") or self.default
        if value.lstrip("-") not in self.sorts:
            offered = ", ".join(sorted(self.sorts))
            raise BadTableParameter(
                f"Cannot sort by {value[:40]!r}: choose one of {offered} (prefix - for descending).",
                field=param,
            )
        return value

    def ordered(self, queryset: QuerySet[Any], sort: str) -> QuerySet[Any]:
        columns = self.sorts[sort.lstrip("-")]
        if sort.startswith("-"):
            columns = tuple(c[1:] if c.startswith("-") else f"-{c}" for c in columns)
        return queryset.order_by(*columns)

    def searched(self, queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
        text = text.strip()[:SEARCH_MAX]
        if not text or not self.search:
            return queryset
        # An exact-number field (`name=`) matches the digits of a reference such as TR-000123.
        number = text.rsplit("-", 1)[-1]
        condition = Q()
        for field in self.search:
            if field.endswith("="):
                if number.isdigit():
                    condition |= Q(**{field[:-1]: int(number)})
                continue
            condition |= Q(**{f"{field}__icontains": text})
        return queryset.filter(condition) if condition else queryset.none()

    def apply(self, queryset: QuerySet[Any], request: HttpRequest, prefix: str = "") -> QuerySet[Any]:
        sort = self.sort_of(request, f"{prefix}sort")
        return self.ordered(self.searched(queryset, request.GET.get("q", "")), sort)


class MarkedPaginator(Paginator):
    """A paginator whose total is counted, with the marking that total carries, in one query:
    a count of marked rows is marked as the combination of what it counts (shown in the banner
    by the pager)."""

    marking: Marking | None = None

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, MarkedQuerySet):
            total, self.marking = rows.order_by().count_and_marking()
            return total
        return super().count


class BoundedMarkedPaginator(MarkedPaginator):
    """A `MarkedPaginator` that counts no further than `limit` rows: past it the total is shown
    as "more than `limit`" (`beyond_limit`) and the pages stop at the limit. A count over
    hundreds of thousands of rows would cost more than the page it totals. The total's marking
    is that of the rows it counted, so it stays the combination of what the figure rests on."""

    limit = 10_000

    @cached_property
    def counted(self) -> int:
        """The rows counted: at most one past the limit."""
        rows = self.object_list
        if isinstance(rows, MarkedQuerySet):
            total, self.marking = rows.order_by()[: self.limit + 1].count_and_marking()
            return total
        counted = rows[: self.limit + 1]
        return counted.count() if isinstance(counted, QuerySet) else len(counted)

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.limit)

    @property
    def beyond_limit(self) -> bool:
        return self.counted > self.limit


def numbered_page(
    queryset: QuerySet[Any], request: HttpRequest, param: str = "page", per_page: int = PAGE_SIZE
) -> Page[Any]:
    """One page of `queryset`: a page number past the end shows the last page, not an error."""
    return MarkedPaginator(queryset, per_page).get_page(request.GET.get(param))


class TablePageMixin:
    """The one base of every main list page (a ListView): `table` searches and orders the
    page's queryset just before it is paged, whatever filters the view applied; a bad sort key
    is a 400; the paginator counts, and marks, only the rows the queryset lets the reader see."""

    table: Table
    paginator_class: type[Paginator] = MarkedPaginator

    def get_ordering(self) -> Any:
        return None

    def tabled(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        request: HttpRequest = self.request  # type: ignore[attr-defined]
        return self.table.apply(queryset, request)

    def paginate_queryset(self, queryset: Any, page_size: int) -> Any:
        return super().paginate_queryset(self.tabled(queryset), page_size)  # type: ignore[misc]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.table.sort_of(request)
        except BadTableParameter as exc:
            return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        request: HttpRequest = self.request  # type: ignore[attr-defined]
        context["sort"] = self.table.sort_of(request)
        context["default_sort"] = self.table.default
        context["q"] = request.GET.get("q", "")
        return context
