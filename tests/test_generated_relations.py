"""Generated over every relation: a hidden record linked from a visible one leaves no trace in
the API's representations of the visible one, nor on its browser page.

For every model the API lists and every foreign key, many-to-many and reverse relation from it
to a guarded model (marked, or read through a marked parent), a pair (visible source, target)
is taken from the demo coalition; the target is made unreadable to the reader (its marking
raised to TOP SECRET//NOFORN, or that of what it is read through), its text fields and natural
numbers are replaced by planted values, and the source's API detail and list (JSON and the
browsable API's HTML) and its page must show none of them, nor the target's id under the
relation's name.
A relation with no seeded pair and no reason in `UNCOVERED` fails: a new relation needs data
(a seed) or a stated reason before it ships.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api.urls import ROUTES
from portal.markings.models import marking_columns
from portal.models import User
from portal.references import guarded_links, is_guarded, is_marked, parent_field, readable
from portal.seed import seed_core
from portal.testing import SignedInClient
from tests.conftest import PERSONAS

READER = "us_operator"  # SECRET, US side: reads every SpOC's records up to SECRET
HIDDEN = marking_columns("TOP SECRET//NOFORN")
NUMBER_FIELDS = ("number", "catalog_number", "sensor_number")

# Relations of API models to guarded models that the demo does not seed, each with why it is
# covered anyway. A new relation goes here only with a reason.
UNCOVERED: dict[str, str] = {
    "agreements.sensor.calibration_runs": "calibration runs are not seeded; tests/calibration covers them",
    "observations.observation.calibration_runs": "calibration runs are not seeded; tests/calibration covers them",
    "catalog.spaceobject.calibration_truths": "calibration truths are not seeded; tests/calibration covers them",
    "observations.observation.residual_element_set": (
        "not in any serializer; the residuals it explains are withheld from readers of a hidden set"
        " (tests/observations/test_signed_residuals.py)"
    ),
}


# API models with no admin page, each with why.
NO_ADMIN: dict[str, str] = {
    "agreements.dataplanentry": "edited as an inline of its agreement's admin page",
    "observations.observation": "millions of rows, delivered by partners: pages and API only",
    "observations.ingestbatch": "a delivery, history that stays: pages and API only",
}

# Pages the walk of the URL conf leaves out, each with why.
NOT_WALKED: dict[str, str] = {
    "login": "the sign-in form shows no record",
    "logout": "signs out",
    "second-factor": "the one-time password form shows no record",
    "security-user": "a user account (not a marked record), for the security officer only",
    "marking-downgrade": "the security officer's page of one record, read through visible_to",
}


def url_patterns(patterns: Any = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(route, pattern) of every URL of the site, includes walked."""
    from django.urls import URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def page_model(view_class: Any) -> Any:
    model = getattr(view_class, "model", None)
    queryset = getattr(view_class, "queryset", None)
    return model or getattr(queryset, "model", None)


def browser_pages() -> tuple[dict[Any, list[tuple[str, list[str]]]], list[str], list[str]]:
    """The pages a browser GETs, from the URL conf: by the model each is about, as (URL name,
    its arguments, all attributes of that model); pages about no model (dashboards, forms);
    and pages that take arguments but say of no model what they are about (a failure)."""
    by_model: dict[Any, list[tuple[str, list[str]]]] = {}
    overview: list[str] = []
    unbound: list[str] = []
    for route, pattern in url_patterns():
        view_class = getattr(pattern.callback, "view_class", None)
        name = pattern.name
        if route.startswith(("admin/", "api/")) or name in NOT_WALKED or view_class is None:
            continue
        if not hasattr(view_class, "get"):
            continue  # an action (POST only)
        arguments = list(pattern.pattern.converters)
        model = page_model(view_class)
        if model is not None:
            by_model.setdefault(model, []).append((name, arguments))
        elif arguments:
            unbound.append(name)
        else:
            overview.append(name)
    return by_model, overview, unbound


def admin_pages(model: type[models.Model]) -> list[str]:
    """The admin's change and changelist URL names of `model`, when it is registered."""
    from django.contrib import admin

    if model not in admin.site._registry:
        return []
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return [f"{info}_change", f"{info}_changelist"]


class _Undo(Exception):
    pass


def api_models() -> Iterator[tuple[str, Any, type[models.Model]]]:
    seen: set[type[models.Model]] = set()
    for prefix, viewset in ROUTES:
        queryset = getattr(viewset, "queryset", None)
        if queryset is None or not is_guarded(queryset.model) or queryset.model in seen:
            continue
        seen.add(queryset.model)
        yield prefix, viewset, queryset.model


def relations(model: type[models.Model]) -> Iterator[Any]:
    for field in model._meta.get_fields():
        target = getattr(field, "related_model", None)
        if field.is_relation and isinstance(target, type) and is_guarded(target) and target is not model:
            yield field


def relation_label(model: type[models.Model], field: Any) -> str:
    return f"{model._meta.label_lower}.{field.name}"


def keys_of(field: Any) -> set[str]:
    names = {field.name}
    if hasattr(field, "get_accessor_name"):
        names.add(field.get_accessor_name() or field.name)
    if getattr(field, "attname", None):
        names.add(field.attname)
    return names


def pairs(model: type[models.Model], field: Any, reader: User) -> Iterator[tuple[Any, Any]]:
    """(source, target) pairs with a source the reader may read."""
    sources = readable(model, reader).filter(**{f"{field.name}__isnull": False}).distinct()
    for source in sources[:5]:
        if field.many_to_many or field.one_to_many:
            targets = list(
                getattr(source, field.get_accessor_name() if field.auto_created else field.name).all()[:1]
            )
        else:
            targets = [getattr(source, field.name)]
        for target in targets:
            if target is not None:
                yield source, target


def hide(target: Any, source: Any) -> bool:
    """Make `target` unreadable without touching `source` itself; False if only that would."""
    model = type(target)
    if is_marked(model):
        model._default_manager.filter(pk=target.pk).update(**HIDDEN)
        return True
    parent = parent_field(model)
    candidates = [parent] if parent else []
    candidates += [link.name for link in guarded_links(model)]
    for name in candidates:
        linked = getattr(target, name, None)
        if linked is None or (type(linked) is type(source) and linked.pk == source.pk):
            continue
        if hide(linked, source):
            return True
    return False


_planted = itertools.count(1)


def plant(target: Any) -> tuple[list[str], list[int]]:
    """Replace the target's text and natural numbers by planted values; returns them."""
    model = type(target)
    texts: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.choices:
            continue
        if isinstance(field, models.CharField | models.TextField) and (field.max_length or 200) >= 12:
            texts[field.name] = f"zqx{next(_planted):05d}planted"[: field.max_length or 200]
        elif field.name in NUMBER_FIELDS and isinstance(field, models.IntegerField):
            numbers[field.name] = 8_700_000 + next(_planted)
    model._default_manager.filter(pk=target.pk).update(**texts, **numbers)
    return list(texts.values()), list(numbers.values())


def _names_id(value: Any, pk: Any) -> bool:
    if isinstance(value, dict):
        return value.get("id") == pk
    return value == pk and not isinstance(value, bool)


def leaks(value: Any, keys: set[str], pk: Any) -> list[str]:
    """Places in a JSON value where, under one of `keys`, the target's id is given: as the
    value, in a list of ids, or as the `id` of a nested row."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys:
                items = item if isinstance(item, list) else [item]
                found += [f"{key}: {entry!r}"[:120] for entry in items if _names_id(entry, pk)]
            else:
                found += leaks(item, keys, pk)
    elif isinstance(value, list):
        for item in value:
            found += leaks(item, keys, pk)
    return found


def row_of(listing: Any, pk: Any) -> Any:
    rows = listing.get("results", []) if isinstance(listing, dict) else listing
    return next((row for row in rows if isinstance(row, dict) and row.get("id") == pk), None)


def api_formats(viewset: Any) -> list[str]:
    """Every `?format=` the viewset renders: JSON, the browsable API and any export format."""
    return [renderer.format for renderer in viewset.renderer_classes]


# The variants of each page that differ from the page itself (found the first time the page is
# fetched): an htmx fragment, a CSV export. Later fetches ask only for those.
_VARIANTS: tuple[tuple[str, dict[str, str], dict[str, str]], ...] = (
    ("htmx", {}, {"HTTP_HX_REQUEST": "true"}),
    ("csv", {"format": "csv"}, {}),
)
_variants_of: dict[str, list[str]] = {}
_refused: set[tuple[str, tuple[Any, ...]]] = set()


def _body(answer: Any) -> str:
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return body.decode(errors="replace")


def page_answers(browser: Any, name: str, args: list[Any], where: str) -> dict[str, str]:
    """A page as a browser gets it, and as an htmx fragment and a CSV export where it answers
    them."""
    url = reverse(name, args=args)
    if (name, tuple(args)) in _refused:
        return {}
    answer = browser.get(url)
    assert answer.status_code < 500, (url, answer.status_code)
    if answer.status_code in (403, 404) and not args:
        _refused.add((name, ()))  # a page of another role: refused whatever is planted
        return {}
    plain = _body(answer)
    answers = {f"{where} {name}": plain}
    known = _variants_of.get(name)
    for variant, params, headers in _VARIANTS:
        if known is not None and variant not in known:
            continue
        answer = browser.get(url, params, **headers)
        assert answer.status_code < 500, (url, variant, answer.status_code)
        text = _body(answer)
        distinct = text != plain and (variant != "csv" or "csv" in answer.get("Content-Type", ""))
        if known is None and distinct:
            _variants_of.setdefault(name, []).append(variant)
        answers[f"{where} {name} ({variant})"] = text
    _variants_of.setdefault(name, [])
    return answers


def representations(
    api: APIClient, browser: Any, admin_browser: Any, prefix: str, viewset: Any, source: Any
) -> dict[str, Any]:
    lookup = getattr(source, getattr(viewset, "lookup_field", "pk") or "pk")
    answers: dict[str, Any] = {}
    for name, path in (("detail", f"/api/{prefix}/{lookup}/"), ("list", f"/api/{prefix}/")):
        answer = api.get(path, {"format": "json"})
        if name == "detail" and answer.status_code == 404:
            return {}  # the source is read through what was hidden: it is absent itself
        assert answer.status_code == 200, (path, answer.status_code)
        answers[name] = answer.json()
        answers[f"{name} text"] = answer.content.decode()
        for fmt in api_formats(viewset):
            if fmt != "json" and not (name == "list" and fmt == "api"):  # that one: once, below
                text = api.get(path, {"format": fmt}).content.decode(errors="replace")
                answers[f"{name} as {fmt}"] = text
    model = type(source)
    pages, _overview, _unbound = WALK
    for name, arguments in pages.get(model, []):
        args = [getattr(source, argument) for argument in arguments]
        answers.update(page_answers(browser, name, args, "page"))
    for name in admin_pages(model)[:1]:  # the change page; changelists are read once, below
        answer = admin_browser.get(reverse(name, args=[source.pk]))
        assert answer.status_code in (200, 302), (name, answer.status_code)
        answers[f"admin {name}"] = answer.content.decode()
    return answers


def shared_answers(api: APIClient, browser: Any, admin_browser: Any) -> dict[str, str]:
    """What shows many records at once whatever its source: the pages about no one record,
    every admin changelist and every API list in the browsable API (its filter forms)."""
    from django.contrib import admin

    answers: dict[str, str] = {}
    _pages, overview, _unbound = WALK
    for name in overview:
        answers.update(page_answers(browser, name, [], "overview"))
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        answers[f"admin {name}"] = admin_browser.get(reverse(name)).content.decode()
    for prefix, viewset in ROUTES:
        if "api" in api_formats(viewset):
            answers[f"/api/{prefix}/ browsable"] = api.get(
                f"/api/{prefix}/", {"format": "api"}
            ).content.decode()
    return answers


WALK = browser_pages()


def admin_reader(reader: User) -> User:
    """A staff superuser of the admin site cleared as `reader` (so neither reads the hidden)."""
    staff = User.objects.create(
        username="admin_reader",
        nationality=reader.nationality,
        clearance=reader.clearance,
        role=reader.role,
        spoc=reader.spoc,
        is_staff=True,
        is_superuser=True,
    )
    return staff


def build_demo() -> None:
    """The demo coalition without its day of observations (slow to associate); one small
    delivery, whose rows name a sensor, objects, a request and their batch, stands in."""
    seed_core()
    call_command("seed_demo", "--json", stdout=io.StringIO())
    from agreements.models import Sensor
    from catalog.models import SpaceObject
    from catalog.observations.models import IngestBatch, Observation
    from tasking.models import TaskingRequest

    marking = marking_columns("CUI//REL TO USA, GBR")
    sensor = Sensor.objects.filter(spoc__code="uk-spoc").order_by("pk").first()
    request = TaskingRequest.objects.filter(spoc__code="uk-spoc").order_by("pk").first()
    objects = list(SpaceObject.objects.filter(classification_level=0).order_by("pk")[:3])
    assert sensor is not None and request is not None and len(objects) == 3
    batch = IngestBatch.objects.create(
        delivered_by_name="uk_staff",
        spoc=sensor.spoc,
        payload="observations/generated.json",
        payload_sha256="0" * 64,
        tasking_request=request,
        **marking,
    )
    now = timezone.now()
    for i in range(2):
        Observation.objects.create(
            sensor=sensor,
            batch=batch,
            ob_time=now - dt.timedelta(minutes=i),
            content_hash=f"generated-{i}",
            range_km=1000.0,
            space_object=objects[0],
            runner_up=objects[1],
            near_stale_set=objects[2],
            tasking_request=request,
            **marking,
        )
    from tasking.models import RequestMessage

    RequestMessage.objects.create(
        request=request,
        author_name="uk_staff",
        author_spoc=sensor.spoc,
        body="Radar booked until 02:00.",
        **marking,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[None]:
    """The demo, built once for the module in a transaction rolled back at its end; each test
    runs in a savepoint of it (pytest-django's `db`), as a TestCase's setUpTestData does."""
    steps = [s for s in settings.SEED_DEMO_STEPS if "observations" not in s]
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, SEED_DEMO_STEPS=steps):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            build_demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(world: None, db: Any) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=PERSONAS)}


def optional_targets(child: Any, source: Any) -> list[tuple[str, Any]]:
    """The guarded records a child of `source` refers to without being about them."""
    found = []
    for name in getattr(type(child), "optional_links", ()):
        linked = getattr(child, name, None)
        if (
            linked is not None
            and is_guarded(type(linked))
            and not (type(linked) is type(source) and linked.pk == source.pk)
        ):
            found.append((name, linked))
    return found


def around(text: str, value: str) -> str:
    """The text around the first place `value` appears in, for the failure message."""
    at = text.index(value)
    return " ".join(text[max(0, at - 90) : at + len(value) + 30].split())


def planted_in(shown: dict[str, Any], label: str, texts: list[str], numbers: list[int]) -> list[str]:
    problems: list[str] = []
    for where, text in shown.items():
        if not isinstance(text, str):
            continue
        problems += [f"{label}: {where} shows {t} ({around(text, t)})" for t in texts if t in text]
        problems += [
            f"{label}: {where} shows number {n} ({around(text, str(n))})"
            for n in numbers
            if re.search(rf"\b{n}\b", text)
        ]
    return problems


# The (label, target, source) of every check, for the pages about no one record.
_checked_targets: list[tuple[str, Any, Any]] = []


def overview_problems(api: APIClient, browser: Any, admin_browser: Any) -> list[str]:
    """What shows many records at once (`shared_answers`), read once with every target the
    walk checked hidden and planted at the same time: a hidden record appears nowhere,
    whatever the page is about."""
    problems: list[str] = []
    try:
        with transaction.atomic():
            planted = []
            for label, target, source in _checked_targets:
                fresh = type(target)._default_manager.get(pk=target.pk)
                if hide(fresh, source):
                    planted.append((label, *plant(fresh)))
            shown = shared_answers(api, browser, admin_browser)
            for label, texts, numbers in planted:
                problems += planted_in(shown, label, texts, numbers)
            raise _Undo
    except _Undo:
        pass
    return problems


def check(
    api: APIClient,
    browser: Any,
    admin_browser: Any,
    prefix: str,
    viewset: Any,
    source: Any,
    label: str,
    keys: set[str],
    target: Any,
) -> list[str]:
    """Plant `target`'s values (already hidden) and look for them in the source's answers."""
    texts, numbers = plant(target)
    shown = representations(api, browser, admin_browser, prefix, viewset, source)
    _checked_targets.append((label, target, source))
    problems = planted_in(shown, label, texts, numbers)
    if shown:
        for where, value in (("detail", shown["detail"]), ("list", row_of(shown["list"], source.pk))):
            problems += [
                f"{label}: {where} gives the hidden id ({leak})" for leak in leaks(value, keys, target.pk)
            ]
    return problems


@pytest.mark.django_db
def test_no_hidden_target_of_any_relation_reaches_the_api(demo: dict[str, User]) -> None:
    reader = demo[READER]
    api = APIClient()
    api.force_authenticate(reader)
    browser = SignedInClient()
    browser.force_login(reader)
    admin_browser = SignedInClient()
    admin_browser.force_login(admin_reader(reader))
    _pages, _overview, unbound = WALK
    _checked_targets.clear()
    uncovered, problems, checked = [], [], 0
    for prefix, viewset, model in api_models():
        for field in relations(model):
            label = relation_label(model, field)
            tried = False
            for source, target in pairs(model, field, reader):
                try:
                    with transaction.atomic():
                        if hide(target, source):
                            tried = True
                            if readable(model, reader).filter(pk=source.pk).exists():
                                problems += check(
                                    api,
                                    browser,
                                    admin_browser,
                                    prefix,
                                    viewset,
                                    source,
                                    label,
                                    keys_of(field),
                                    target,
                                )
                                checked += 1
                            # else: hiding the target hides the source: nothing is shown
                        elif parent_field(type(target)) is not None:
                            # A child read through the source itself: shown with it, and about
                            # nothing else; what it merely refers to is hidden one by one.
                            tried = True
                            for name, linked in optional_targets(target, source):
                                if hide(linked, source):
                                    problems += check(
                                        api,
                                        browser,
                                        admin_browser,
                                        prefix,
                                        viewset,
                                        source,
                                        f"{label}.{name}",
                                        {name},
                                        linked,
                                    )
                                    checked += 1
                        raise _Undo
                except _Undo:
                    pass
                if tried:
                    break
            if not tried and label not in UNCOVERED:
                uncovered.append(label)
    problems += overview_problems(api, browser, admin_browser)
    assert not problems, "\n".join(problems)
    assert not unbound, f"pages with arguments that name no model (set `model` on the view): {unbound}"
    no_admin = [model._meta.label_lower for _p, _v, model in api_models() if not admin_pages(model)]
    assert set(no_admin) <= set(NO_ADMIN), f"API models with no admin page (register one): {no_admin}"
    assert not uncovered, (
        f"relations with no seeded pair (seed one or give a reason in UNCOVERED): {uncovered}"
    )
    assert checked >= 20


# -- filters ---------------------------------------------------------------------------------

TYPED_FILTERS = (
    "NumberFilter",
    "DateFilter",
    "DateTimeFilter",
    "IsoDateTimeFilter",
    "ChoiceFilter",
    "MultipleChoiceFilter",
    "ModelChoiceFilter",
    "ModelMultipleChoiceFilter",
    "ReadableKeyFilter",
    "TypedChoiceFilter",
)


def filtersets() -> Iterator[tuple[str, Any, Any]]:
    """(prefix, viewset, filterset class) of every API list with filters."""
    from portal.filters import PortalFilterBackend

    backend = PortalFilterBackend()
    for prefix, viewset in ROUTES:
        queryset = getattr(viewset, "queryset", None)
        if queryset is None:
            continue
        view = viewset()
        view.action = "list"
        filterset = backend.get_filterset_class(view, queryset)
        if filterset is not None:
            yield prefix, viewset, filterset


def missing_key(model: Any, key: str) -> str:
    """A value of `key` that no record of `model` holds."""
    highest = model._default_manager.order_by(f"-{key}").values_list(key, flat=True)[0]
    return str(highest + 1000) if isinstance(highest, int) else f"{highest}-missing"


def same_refusal(hidden: Any, missing: Any, hidden_value: str, missing_value: str) -> bool:
    if hidden.status_code != missing.status_code:
        return False
    return hidden.content.decode().replace(hidden_value, "X") == missing.content.decode().replace(
        missing_value, "X"
    )


@pytest.mark.django_db
def test_every_filter_answers_a_hidden_id_as_a_missing_one_and_garbage_with_a_400(
    demo: dict[str, User],
) -> None:
    reader = demo[READER]
    api = APIClient()
    api.force_authenticate(reader)
    problems, checked = [], 0
    for prefix, _viewset, filterset in filtersets():
        path = f"/api/{prefix}/"
        if api.get(path).status_code == 403:
            continue  # a list the reader may not open at all (the audit trail)
        for name, filter_ in filterset.base_filters.items():
            kind = type(filter_).__name__
            garbage = api.get(path, {name: "2024-13-45T99:99 garbage%"})
            if garbage.status_code >= 500:
                problems.append(f"{path}?{name}=garbage: {garbage.status_code}")
            elif kind in TYPED_FILTERS and garbage.status_code != 400:
                problems.append(f"{path}?{name}=garbage: {garbage.status_code}, not 400")
            elif garbage.status_code == 400 and name not in garbage.json():
                problems.append(f"{path}?{name}=garbage: the 400 does not name the parameter")
            found = filter_target(filterset._meta.model, filter_)
            if found is None:
                continue
            model, key = found
            target = readable(model, reader).order_by("pk").first()
            if target is None:
                continue
            value = getattr(target, key)
            missing_value = missing_key(model, key)
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=target.pk).update(**HIDDEN)
                    hidden = api.get(path, {name: value})
                    missing = api.get(path, {name: missing_value})
                    if not same_refusal(hidden, missing, str(value), missing_value):
                        problems.append(
                            f"{path}?{name}=<hidden>: {hidden.status_code} {hidden.content[:200]!r}, "
                            f"missing: {missing.status_code} {missing.content[:200]!r}"
                        )
                    checked += 1
                    raise _Undo
            except _Undo:
                pass
    assert not problems, "\n".join(problems)
    assert checked >= 6  # every related filter of the API today; fewer means the walk broke


# -- the pages' filters ----------------------------------------------------------------------

GARBAGE = "2024-13-45T99:99 garbage%"
_HAND_WRITTEN = re.compile(r"""GET(?:\.get\(\s*|\[)["'](\w+)["']""")
_SORT_PARAM = re.compile(r"""sort_of\(\s*request(?:\s*,\s*f?["'](\w+)["'])?\s*\)""")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


def hand_written_params(view_class: Any) -> set[str]:
    """The `?param=` a view (and the portal's bases it inherits) reads from `request.GET` by
    name or through its `params_form`, and the sort parameters of its tables, found in their
    source."""
    import inspect

    params: set[str] = set()
    for klass in view_class.__mro__:
        if not klass.__module__.startswith(("portal", "agreements", "catalog", "tasking")):
            continue
        source = inspect.getsource(klass)
        params |= set(_HAND_WRITTEN.findall(source))
        params |= {name or "sort" for name in _SORT_PARAM.findall(source)}
    table = getattr(view_class, "table", None)
    if table is not None:
        params |= {"q", "sort"}
    params_form = getattr(view_class, "params_form", None)
    if params_form is not None:
        params |= set(params_form.base_fields)
    return params - {"format", "next"}


def filtered_pages() -> Iterator[tuple[str, Any, Any, set[str]]]:
    """(URL name, view class, its FilterSet or None, its hand-written parameters) of every page
    without arguments that reads query parameters."""
    for route, pattern in url_patterns():
        view_class = getattr(pattern.callback, "view_class", None)
        if route.startswith(("admin/", "api/")) or pattern.name in NOT_WALKED or view_class is None:
            continue
        if not hasattr(view_class, "get") or pattern.pattern.converters:
            continue
        filterset = getattr(view_class, "filterset_class", None)
        params = hand_written_params(view_class) - set(filterset.base_filters if filterset else ())
        if filterset is not None or params:
            yield pattern.name, view_class, filterset, params


def filter_target(model: Any, filter_: Any) -> tuple[Any, str] | None:
    """The marked model and key a filter's value names (a related record, or the listed record
    itself by a unique key), or None when its value names no record."""
    if hasattr(filter_, "related_model") and hasattr(filter_, "key"):
        return filter_.related_model, filter_.key
    queryset = getattr(filter_, "queryset", None)
    if queryset is not None and not callable(queryset):
        target = (queryset.model, getattr(filter_, "to_field_name", None) or "pk")
        return target if is_marked(target[0]) else None
    if getattr(filter_, "method", None) or getattr(filter_, "lookup_expr", "exact") != "exact":
        return None
    current = model
    parts = (filter_.field_name or "").split("__")
    for index, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except Exception:
            return None
        last = index == len(parts) - 1
        if field.is_relation:
            current = field.related_model
            if last:
                return (current, "pk") if is_marked(current) else None
            continue
        if last and (field.unique or field.primary_key) and is_marked(current):
            return current, field.name
    return None


def first_difference(one: str, other: str) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), min(len(one), len(other))
    )
    return f"{one[max(0, at - 80) : at + 60]!r} / {other[max(0, at - 80) : at + 60]!r}"


def without_echo(body: str, param: str, value: str) -> str:
    """`body` with the places that echo `param`'s value (its box, links keeping it) blanked."""
    value = re.escape(value)
    body = re.sub(rf"(\b{param}=){value}\b", r"\1X", body)
    body = re.sub(rf'(name="{param}"[^>]*?value="){value}"', r'\1X"', body)
    return re.sub(rf'(value="){value}("[^>]*?name="{param}")', r"\1X\2", body)


def page_body(answer: Any) -> str:
    return _CSRF.sub("", answer.content.decode(errors="replace"))


@pytest.mark.django_db
def test_every_page_filter_answers_a_hidden_id_as_a_missing_one_and_garbage_naming_it(
    demo: dict[str, User],
) -> None:
    reader = demo[READER]
    browser = SignedInClient()
    browser.force_login(reader)
    problems, checked, related = [], 0, 0
    for name, view_class, filterset, params in filtered_pages():
        url = reverse(name)
        plain = browser.get(url)
        if plain.status_code in (403, 404):
            continue  # a page of another role
        typed = {
            key
            for key, filter_ in (filterset.base_filters.items() if filterset else ())
            if type(filter_).__name__ in TYPED_FILTERS
        }
        for param in sorted(params | set(filterset.base_filters if filterset else ())):
            checked += 1
            garbage = browser.get(url, {param: GARBAGE})
            body = page_body(garbage)
            if garbage.status_code >= 500:
                problems.append(f"{url}?{param}=garbage: {garbage.status_code}")
            elif garbage.status_code >= 400 and param not in body:
                problems.append(f"{url}?{param}=garbage: {garbage.status_code} does not name the parameter")
            elif param in typed and garbage.status_code != 400:
                problems.append(f"{url}?{param}=garbage: {garbage.status_code}, not 400")
            elif garbage.status_code == 200 and body.replace(GARBAGE, "") == page_body(plain):
                problems.append(f"{url}?{param}=garbage: ignored without a word (answered as no value)")
            if filterset is None:
                continue
            filter_ = filterset.base_filters.get(param)
            target = filter_target(view_class.model, filter_) if filter_ is not None else None
            if target is None:
                continue
            model, key = target
            record = readable(model, reader).order_by("pk").first()
            if record is None:
                continue
            value = str(getattr(record, key))
            missing_value = missing_key(model, key)
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=record.pk).update(**HIDDEN)
                    hidden = browser.get(url, {param: value})
                    missing = browser.get(url, {param: missing_value})
                    hidden_body = without_echo(page_body(hidden), param, value)
                    missing_body = without_echo(page_body(missing), param, missing_value)
                    if hidden.status_code != missing.status_code or hidden_body != missing_body:
                        problems.append(
                            f"{url}?{param}=<hidden>: {hidden.status_code}, missing: {missing.status_code},"
                            f" the pages differ: {first_difference(hidden_body, missing_body)}"
                        )
                    shown = page_body(hidden)
                    if f'<option value="{record.pk}"' in shown or str(record) in shown:
                        problems.append(f"{url}?{param}: the form offers the hidden record")
                    related += 1
                    raise _Undo
            except _Undo:
                pass
    assert not problems, "\n".join(problems)
    assert checked >= 20 and related >= 3  # fewer means the walk broke
