"""Audit completeness, generated from the URL configuration: every page and API route, read
with GET over the demo coalition whose every marked record has been raised to CONFIDENTIAL at
least, leaves a `read` row for what it shows (the record of a detail route among them), once
per record. A new route fails here until it records its reads, or is named in `SHOWS_NO_RECORD`
with the reason. The admin site is walked for every marked model it registers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework import serializers

from agreements.models import Agreement, Sensor, TierEvaluation
from catalog.api.renderers import ELEMENT_SET_RENDERERS, ElementSetRenderer
from catalog.models import CalibrationRun, SpaceObject
from catalog.observations.models import IngestBatch, Observation
from portal.api.base import RecordsReadsMixin
from portal.markings.marking import Level
from portal.markings.models import MarkedModel
from portal.models import AuditEvent, Notice, SpOC, User
from tasking.models import CoalitionOperation, TaskingRequest
from tests.portal.demo_data import demo

__all__ = ["demo"]

# Routes whose GET shows no marked record (forms, accounts, the unmarked trail and task runs,
# aggregates marked as a whole): the reason is the value.
SHOWS_NO_RECORD = {
    "login": "sign-in form",
    "logout": "signs out",
    "second-factor": "sign-in form",
    "api-tokens": "the user's own tokens (unmarked)",
    "security-users": "user accounts (unmarked)",
    "security-user-create": "a form",
    "security-user": "a user account (unmarked)",
    "security-approvals": "access changes (unmarked)",
    "audit-log": "the audit trail itself (unmarked rows)",
    "taskrun-list": "background runs (unmarked)",
    "notice-create": "a form",
    "agreement-create": "a form",
    "tier-list": "tier definitions (unmarked)",
    "tier-edit": "a tier definition (unmarked)",
    "observation-upload": "a form",
    "request-create": "a form",
    "tasking-metrics": "aggregate figures, marked as a whole, no record",
    "api-schema": "the API's description",
    "api-docs": "the API's description",
    "api:api-root": "links",
    "api:me": "the caller's own account",
    "api:nation-list": "nations (unmarked)",
    "api:nation-detail": "nations (unmarked)",
    "api:spoc-list": "SpOCs (unmarked)",
    "api:spoc-detail": "SpOCs (unmarked)",
    "api:auditevent-list": "the audit trail itself",
    "api:auditevent-detail": "the audit trail itself",
    "api:taskrun-list": "background runs (unmarked)",
    "api:taskrun-detail": "background runs (unmarked)",
    "api:tierdefinition-list": "tier definitions (unmarked)",
    "api:tierdefinition-detail": "tier definitions (unmarked)",
    "api:taskingrequest-metrics": "aggregate figures, marked as a whole, no record",
}


def first(model: Any, **lookup: Any) -> Any:
    record = model.objects.filter(classification_level__lte=Level.SECRET, **lookup).order_by("pk").first()
    assert record is not None, f"the demo has no {model.__name__} the US operator may read"
    return record


# Page routes with URL arguments: the record the route is about, and its arguments.
PAGE_RECORDS: dict[str, Callable[[], tuple[Any, dict[str, Any]]]] = {}


def _by_pk(model: Any, **lookup: Any) -> Callable[[], tuple[Any, dict[str, Any]]]:
    def find() -> tuple[Any, dict[str, Any]]:
        record = first(model, **lookup)
        return record, {"pk": record.pk}

    return find


for name in ["notice-detail"]:
    PAGE_RECORDS[name] = _by_pk(Notice)
for name in ["agreement-detail", "agreement-edit"]:
    PAGE_RECORDS[name] = _by_pk(Agreement)
for name in ["sensor-detail", "sensor-calibration"]:
    PAGE_RECORDS[name] = _by_pk(Sensor)
PAGE_RECORDS["evaluation-detail"] = _by_pk(TierEvaluation)
PAGE_RECORDS["observation-detail"] = _by_pk(Observation)
PAGE_RECORDS["observation-batch-detail"] = _by_pk(IngestBatch)
PAGE_RECORDS["request-detail"] = _by_pk(TaskingRequest)
PAGE_RECORDS["spaceobject-detail"] = lambda: (
    (obj := first(SpaceObject)),
    {"catalog_number": obj.catalog_number},
)
PAGE_RECORDS["operation-detail"] = lambda: ((op := first(CoalitionOperation)), {"code": op.code})
PAGE_RECORDS["marking-downgrade"] = lambda: (
    (notice := first(Notice)),
    {"label": "portal.notice", "pk": notice.pk},
)


def _preview_query() -> str:
    start = timezone.now() + dt.timedelta(hours=1)
    values = {
        "targets": first(SpaceObject, element_sets__isnull=False).catalog_number,
        "spoc": SpOC.objects.get(code="uk-spoc").pk,
        "window_start": start.strftime("%Y-%m-%dT%H:%MZ"),
        "window_end": (start + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%MZ"),
        "minimum_tier": 4,
        "observation_type": "any_metric",
    }
    return urlencode(values)


# Routes that show records only for a query: the query that makes them show some.
GET_QUERIES: dict[str, Callable[[], str]] = {
    "request-catalog-pick": lambda: urlencode({"q": first(SpaceObject).catalog_number}),
    "request-pass-preview": _preview_query,
}
# POST-only routes (a GET is refused) need arguments only to be reached.
POST_ONLY = {
    "sensor-outage-create": _by_pk(Sensor),
    "sensor-bias-create": _by_pk(Sensor),
    "sensor-statement": _by_pk(Sensor),
    "agreement-transition": _by_pk(Agreement),
    "evaluation-start": None,
    "evaluation-decide": _by_pk(TierEvaluation),
    "calibration-accept": _by_pk(CalibrationRun),
    "request-message": _by_pk(TaskingRequest),
    "request-act": lambda: ((r := first(TaskingRequest)), {"pk": r.pk, "action": "accept"}),
    "notification-read": lambda: (None, {"pk": 1}),
    "api-token-revoke": lambda: (None, {"pk": 1}),
    "security-approve": lambda: (None, {"pk": 1}),
    "security-refuse": lambda: (None, {"pk": 1}),
}


@dataclass
class Route:
    name: str
    pattern: str
    callback: Any

    @property
    def viewset(self) -> Any:
        return getattr(self.callback, "cls", None)

    @property
    def arguments(self) -> list[str]:
        return list(getattr(self._pattern, "converters", {}) or {}) or self._regex_groups()

    _pattern: Any = None

    def _regex_groups(self) -> list[str]:
        regex = getattr(self._pattern, "regex", None)
        return list(regex.groupindex) if regex is not None else []


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # walked per registered model below
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern) and entry.name:
            route = Route(f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback)
            route._pattern = entry.pattern
            yield route


ROUTES = [
    r for r in walk(get_resolver().url_patterns) if "format" not in r.arguments and "static" not in r.pattern
]


def api_target(route: Route) -> tuple[Any, dict[str, Any]]:
    viewset = route.viewset
    model = viewset.queryset.model
    if "pk" not in route.arguments and not set(route.arguments) - {"format"}:
        return None, {}
    field = getattr(viewset, "lookup_field", "pk")
    if not issubclass(model, MarkedModel):
        row = model.objects.order_by("pk").first()
        return None, {getattr(viewset, "lookup_url_kwarg", None) or field: getattr(row, field)}
    record = first(model)
    argument = getattr(viewset, "lookup_url_kwarg", None) or field
    return record, {argument: getattr(record, field)}


@pytest.fixture
def everything_classified(demo: dict[str, User], db: None) -> None:
    """Every marked record at CONFIDENTIAL at least (inside the test's savepoint)."""
    for model in apps.get_models():
        if issubclass(model, MarkedModel):
            model.objects.filter(classification_level__lt=Level.CONFIDENTIAL).update(
                classification_level=Level.CONFIDENTIAL
            )


@pytest.fixture
def readers(demo: dict[str, User]) -> list[User]:
    """Who tries a route, in turn: the first answered with 200 is the route's reader."""
    return [demo[name] for name in ["us_operator", "uk_staff", "agreement_admin", "security_officer"]]


def read_rows(path: str, reader: User) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(action="read", path=path, actor=reader)
    return list(rows.values_list("model", "object_id"))


def fetch(client: Client, readers: list[User], path: str) -> tuple[set[int], list[tuple[str, str]]]:
    """The answers of `path` to each reader in turn, and the reads of the first reader it
    showed classified records to (their rows: a refusal records none)."""
    statuses: set[int] = set()
    for reader in readers:
        client.force_login(reader)
        answer = client.get(path, HTTP_ACCEPT="*/*")
        statuses.add(answer.status_code)
        rows = read_rows(path, reader)
        if answer.status_code != 200:
            assert not rows, f"{path}: a refused answer ({answer.status_code}) recorded reads"
        elif rows:
            return statuses, rows
    return statuses, []


def paths_of(route: Route) -> Iterator[tuple[str, Any]]:
    """(path, record the route is about) for a GET of `route`."""
    if route.viewset is not None:
        record, kwargs = api_target(route)
        path = reverse(route.name, kwargs=kwargs)
        yield path, record
        renderers = getattr(route.viewset, "renderer_classes", [])
        if any(issubclass(r, ElementSetRenderer) for r in renderers):
            for renderer in ELEMENT_SET_RENDERERS:
                yield f"{path}?format={renderer.format}", record
        return
    if not route.arguments:
        query = GET_QUERIES.get(route.name)
        yield reverse(route.name) + (f"?{query()}" if query else ""), None
        return
    finder = PAGE_RECORDS.get(route.name)
    assert finder is not None, (
        f"{route.name} ({route.pattern}) takes arguments: name the record it is about in PAGE_RECORDS"
    )
    record, kwargs = finder()
    yield reverse(route.name, kwargs=kwargs), record


def test_every_route_is_known() -> None:
    """A route with arguments is either about a record (PAGE_RECORDS), refuses a GET
    (POST_ONLY), is an API route (its viewset names the model) or shows no record."""
    for route in ROUTES:
        if route.viewset is not None or not route.arguments:
            continue
        assert route.name in {*PAGE_RECORDS, *POST_ONLY, *SHOWS_NO_RECORD}, route.name


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_get_of_a_route_records_the_classified_records_it_shows(
    route: Route, everything_classified: None, readers: list[User], client: Client
) -> None:
    if route.name in SHOWS_NO_RECORD or route.name in POST_ONLY:
        return
    for path, record in paths_of(route):
        statuses, rows = fetch(client, readers, path)
        if statuses == {405}:
            continue  # no GET: writes are audited as changes
        assert 200 in statuses, f"{path}: no reader got 200 (got {statuses})"
        assert rows, f"{path} showed classified records and left no read row"
        assert len(rows) == len(set(rows)), f"{path}: a record read twice in one response"
        if record is not None:
            assert (record._meta.label_lower, str(record.pk)) in rows, f"{path}: its own record unread"


def marked_admins() -> list[tuple[type[Model], Any]]:
    return [(m, a) for m, a in admin.site._registry.items() if issubclass(m, MarkedModel)]


@pytest.mark.parametrize(
    "model", [m for m, _ in marked_admins()], ids=[m._meta.label for m, _ in marked_admins()]
)
def test_every_admin_page_of_a_marked_model_records_its_reads(
    model: Any, everything_classified: None, client: Client
) -> None:
    root = User.objects.create_superuser("audit-root", "root@example.mil", "pw")
    User.objects.filter(pk=root.pk).update(clearance=Level.TOP_SECRET, nationality="USA")
    root.refresh_from_db()
    client.force_login(root)
    record = model.objects.order_by("pk").first()
    if record is None:
        pytest.skip(f"the demo has no {model.__name__}")
    info = model._meta.app_label, model._meta.model_name
    shown = (record._meta.label_lower, str(record.pk))
    listing = reverse("admin:{}_{}_changelist".format(*info))
    assert client.get(listing).status_code == 200
    assert read_rows(listing, root), listing
    for page in ["change", "history", "delete"]:
        path = reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[record.pk])
        answer = client.get(path)
        if answer.status_code == 403:
            assert not read_rows(path, root), path  # not offered (history that must stay)
            continue
        assert answer.status_code == 200, path
        assert read_rows(path, root).count(shown) == 1, path


def test_every_serializer_of_a_marked_model_records_its_reads() -> None:
    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for serializer in subclasses(serializers.ModelSerializer):
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if isinstance(model, type) and issubclass(model, MarkedModel):
            assert issubclass(serializer, RecordsReadsMixin), serializer
