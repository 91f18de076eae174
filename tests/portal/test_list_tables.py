"""Every main list page is a table from the one shared base (`portal.tables.TablePageMixin`):
generated from the URL configuration, each sorts by every key it offers both ways, refuses an
unknown key with a 400 that names the offered ones, searches, and totals the rows it pages, the
total marked at least as each of them. That a total counts exactly the rows its reader may see
is checked in test_list_totals, against rows written out by hand."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.list import MultipleObjectMixin

from agreements.models import Agreement, Sensor
from catalog.models import PartnerObjectMapping, SpaceObject
from catalog.observations.models import IngestBatch, Observation
from portal.markings.models import MarkedModel, MarkedQuerySet
from portal.models import TaskRun, User
from portal.tables import Table, TablePageMixin
from tasking.models import Notification, TaskingRequest
from tests.portal.demo_data import demo

__all__ = ["demo"]

pytestmark = pytest.mark.django_db

# The main lists of the portal: each must be built on the shared table base.
MAIN_LISTS = {
    "observation-list",
    "observation-batch-list",
    "spaceobject-list",
    "sensor-list",
    "agreement-list",
    "taskrun-list",
    "audit-log",
    "notification-list",
    "request-list",
    "notice-list",
    "syncrun-list",
    "mapping-conflicts",
    "operation-list",
    "security-users",
}
# List pages that are not tables, and why. Any other list page must be on the table base.
NOT_TABLES = {
    "tier-list": "the integration tiers: a fixed handful, in level order",
    "evaluation-board": "a board grouped by evaluation state, not one list",
    "security-approvals": "the short queue of changes awaiting a second officer, oldest first",
}
READER = {"audit-log": "security_officer", "security-users": "security_officer"}


def tabled_routes() -> dict[str, Table]:
    found: dict[str, Table] = {}

    def walk(patterns: list[Any]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name:
                view = getattr(entry.callback, "view_class", None)
                if view is not None and issubclass(view, TablePageMixin):
                    found[entry.name] = view.table

    walk(get_resolver().url_patterns)
    return found


ROUTES = tabled_routes()
SORTS = [(name, key) for name, table in sorted(ROUTES.items()) for key in sorted(table.sorts)]


def reader_of(demo: dict[str, User], name: str) -> User:
    return demo[READER.get(name, "us_operator")]


def list_routes() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list[Any]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name:
                view = getattr(entry.callback, "view_class", None)
                if view is not None and issubclass(view, MultipleObjectMixin):
                    found.add(entry.name)

    walk(get_resolver().url_patterns)
    return found


def test_every_main_list_is_a_table() -> None:
    assert set(ROUTES) >= MAIN_LISTS, MAIN_LISTS - set(ROUTES)
    # A new list page is a table, or says here why not.
    assert list_routes() - set(ROUTES) <= set(NOT_TABLES), list_routes() - set(ROUTES) - set(NOT_TABLES)


@pytest.mark.parametrize(("name", "key"), SORTS, ids=[f"{n}:{k}" for n, k in SORTS])
def test_each_sort_key_answers_both_ways(demo: dict[str, User], client: Client, name: str, key: str) -> None:
    client.force_login(reader_of(demo, name))
    for sort in (key, f"-{key}"):
        answer = client.get(reverse(name), {"sort": sort})
        assert answer.status_code == 200, (name, sort)
        assert answer.context["sort"] == sort


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_an_unknown_sort_key_is_a_400_naming_the_offered_ones(
    demo: dict[str, User], client: Client, name: str
) -> None:
    client.force_login(reader_of(demo, name))
    answer = client.get(reverse(name), {"sort": "password"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "'password'" in text
    assert all(key in text for key in ROUTES[name].sorts)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_list_has_a_search_box_a_total_and_answers_a_search(
    demo: dict[str, User], client: Client, name: str
) -> None:
    client.force_login(reader_of(demo, name))
    html = client.get(reverse(name)).content.decode()
    assert 'type="search" name="q"' in html
    assert " in all" in html
    assert client.get(reverse(name), {"q": "no such thing zz"}).context["paginator"].count == 0


# Lists with a total, checked here for its shape over the whole demo. Whether a total counts
# exactly what its reader may see is checked with hand-written expectations in test_list_totals
# (requests, observations, sensors, agreements, catalog), on a world small enough to write them.
TOTALLED = (
    "observation-list",
    "observation-batch-list",
    "spaceobject-list",
    "sensor-list",
    "agreement-list",
    "taskrun-list",
    "audit-log",
    "notification-list",
    "request-list",
    "notice-list",
    "operation-list",
)
ALL: dict[str, type[Model]] = {
    "observation-list": Observation,
    "observation-batch-list": IngestBatch,
    "spaceobject-list": SpaceObject,
    "sensor-list": Sensor,
    "agreement-list": Agreement,
    "taskrun-list": TaskRun,
    "request-list": TaskingRequest,
}


@pytest.mark.parametrize("name", TOTALLED)
@pytest.mark.parametrize("persona", ["us_operator", "fr_staff", "security_officer"])
def test_a_total_is_the_rows_it_pages_and_is_marked_at_least_as_each_row(
    demo: dict[str, User], client: Client, name: str, persona: str
) -> None:
    reader = demo[persona]
    client.force_login(reader)
    answer = client.get(reverse(name))
    if answer.status_code == 404:
        assert name == "audit-log" and persona != "security_officer"  # the page is the officer's
        return
    paginator = answer.context["paginator"]
    rows = list(answer.context["object_list"])
    assert f"{paginator.count} in all" in answer.content.decode()
    if paginator.num_pages == 1:
        assert len(rows) == paginator.count
    else:
        assert len(rows) == paginator.per_page < paginator.count
    if paginator.marking is not None:
        assert rows
        assert all(paginator.marking.no_looser_than(row.marking) for row in rows)
    elif isinstance(paginator.object_list, MarkedQuerySet):
        assert paginator.count == 0  # a count of marked rows is marked unless there are none


def test_a_partner_total_leaves_out_what_they_may_not_see(demo: dict[str, User], client: Client) -> None:
    reader = demo["fr_staff"]
    client.force_login(reader)
    hidden_somewhere = False
    for name, model in ALL.items():
        total = client.get(reverse(name)).context["paginator"].count
        assert total <= model._default_manager.count()
        hidden_somewhere |= total < model._default_manager.count()
    assert hidden_somewhere


# A key per list whose order is checked against Python's sort of what the page shows.
ORDER_CHECKS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "sensor-list": ("name", lambda s: (s.name, s.id)),
    "agreement-list": ("title", lambda a: (a.title, a.id)),
    "spaceobject-list": ("number", lambda o: o.catalog_number),
    "observation-list": ("time", lambda o: (o.ob_time, o.id)),
    "taskrun-list": ("started", lambda r: (r.started, r.id)),
    "audit-log": ("at", lambda e: (e.at, e.id)),
}


@pytest.mark.parametrize("name", sorted(ORDER_CHECKS))
def test_a_sorted_page_is_in_order_both_ways(demo: dict[str, User], client: Client, name: str) -> None:
    key, of = ORDER_CHECKS[name]
    client.force_login(reader_of(demo, name))
    up = list(client.get(reverse(name), {"sort": key}).context["object_list"])
    down = list(client.get(reverse(name), {"sort": f"-{key}"}).context["object_list"])
    assert len(up) > 1
    assert [of(r) for r in up] == sorted(of(r) for r in up)
    assert [of(r) for r in down] == sorted((of(r) for r in down), reverse=True)
    total = client.get(reverse(name)).context["paginator"].count
    if total <= len(up):
        assert [r.pk for r in down] == [r.pk for r in reversed(up)]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_change_of_filters_keeps_the_sort_and_the_search(
    demo: dict[str, User], client: Client, name: str
) -> None:
    client.force_login(reader_of(demo, name))
    key = sorted(ROUTES[name].sorts)[0]
    html = client.get(reverse(name), {"sort": f"-{key}", "q": "zz"}).content.decode()
    forms = re.findall(r'<form method="get" class="filters">(.*?)</form>', html, re.S)
    for form in forms:  # pages without filters have nothing to keep
        assert f'<input type="hidden" name="sort" value="-{key}">' in form, name
        assert '<input type="hidden" name="q" value="zz">' in form, name


def _through_marked(model: type[Model], path: str) -> str | None:
    """The marked model a sort or search path passes through on its way, if any."""
    for name in path.lstrip("-").rstrip("=").split("__")[:-1]:
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
        if issubclass(model, MarkedModel):
            return model._meta.label
    return None


def test_no_table_sorts_or_searches_through_a_record_its_reader_may_not_see() -> None:
    # An order or a match through a related marked record (a sensor, an object) answers for
    # it even where the page withholds it; the own fields and unmarked relations are safe.
    views = {}

    def walk(patterns: list[Any]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name in ROUTES:
                view = getattr(entry.callback, "view_class", None)
                if view is not None and issubclass(view, TablePageMixin):
                    views[entry.name] = view

    walk(get_resolver().url_patterns)
    problems = []
    for name, table in ROUTES.items():
        model = getattr(views[name], "model", None) or MODELS_OF.get(name)
        assert model is not None, f"{name}: say which model its table orders"
        for path in [c for columns in table.sorts.values() for c in columns] + list(table.search):
            through = _through_marked(model, path)
            if through:
                problems.append(f"{name}: {path} goes through {through}")
    assert not problems, problems


MODELS_OF: dict[str, type[Model]] = {
    "mapping-conflicts": PartnerObjectMapping,
    "notification-list": Notification,
}
