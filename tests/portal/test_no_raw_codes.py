"""Walks the main pages as each persona over the demo coalition: no enum code (a status such as
`partial` or `in_negotiation`, a tier code, a purpose) appears in the visible text; each is shown
by its label. Durations read as words ("2 days", "3 h 20 min"), never as `2 days, 0:00:00`."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Sensor, TierEvaluation
from catalog.models import SpaceObject
from catalog.observations.models import IngestBatch
from portal.labels import label_of
from portal.models import Nation, User
from portal.templatetags.times import span
from tasking.models import TaskingRequest
from tasking.templatetags.tasking_tags import duration
from tests.portal.demo_data import demo

__all__ = ["demo"]

pytestmark = pytest.mark.django_db


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def enum_codes() -> dict[str, str]:
    """Every code of the project's choices that reads as a code, not a word: snake_case or
    kebab-case, or in capitals, and different from its label."""
    found: dict[str, str] = {}
    nations = set(Nation.objects.values_list("code", flat=True))
    # A username such as `us_operator` is a name the page shows, not a role code.
    usernames = set(User.objects.values_list("username", flat=True))
    for model in apps.get_models():
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None) or []
            for value, label in choices:
                if not isinstance(value, str) or isinstance(label, list | tuple) or value == str(label):
                    continue
                if value in nations or value in usernames:
                    continue  # a trigraph is how nations are written (REL TO USA, GBR)
                if re.fullmatch(r"[a-z0-9]+([_-][a-z0-9]+)+|[A-Z][A-Z0-9_]+", value):
                    found[value] = str(label)
    return found


def main_pages() -> list[tuple[str, str]]:
    """(persona, path) of each main page, with a record of each detail page."""
    request = TaskingRequest.objects.order_by("pk").first()
    batch = IngestBatch.objects.order_by("pk").first()
    sensor = Sensor.objects.filter(classification_level__lte=2).order_by("pk").first()
    agreement = Agreement.objects.filter(classification_level__lte=2).order_by("pk").first()
    evaluation = TierEvaluation.objects.order_by("pk").first()
    obj = SpaceObject.objects.filter(classification_level=0).order_by("catalog_number").first()
    assert request and batch and sensor and agreement and evaluation and obj
    pages = [
        reverse("home"),
        reverse("request-list"),
        reverse("request-detail", args=[request.pk]),
        reverse("observation-list"),
        reverse("observation-batch-list"),
        reverse("observation-batch-detail", args=[batch.pk]),
        reverse("spaceobject-list"),
        reverse("spaceobject-detail", args=[obj.catalog_number]),
        reverse("sensor-list"),
        reverse("sensor-detail", args=[sensor.pk]),
        reverse("agreement-list"),
        reverse("agreement-detail", args=[agreement.pk]),
        reverse("evaluation-board"),
        reverse("evaluation-detail", args=[evaluation.pk]),
        reverse("notification-list"),
        reverse("tasking-metrics"),
        reverse("taskrun-list"),
    ]
    walks = [("us_operator", p) for p in pages]
    walks += [("uk_staff", reverse("request-inbox")), ("uk_staff", reverse("home"))]
    walks += [("agreement_admin", reverse("home")), ("security_officer", reverse("audit-log"))]
    return walks


def test_no_raw_enum_code_is_shown_on_the_main_pages(demo: dict[str, User], client: Client) -> None:
    codes = enum_codes()
    assert {"in_negotiation", "human_spaceflight", "phased_array_radar"} <= set(codes)
    shown: dict[str, set[str]] = {}
    for persona, path in main_pages():
        client.force_login(demo[persona])
        answer = client.get(path)
        assert answer.status_code == 200, (persona, path)
        text = visible_text(answer.content.decode())
        for code in codes:
            if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
                shown.setdefault(code, set()).add(path)
    assert not shown, "\n".join(f"{code} ({codes[code]}): {sorted(paths)}" for code, paths in shown.items())


def test_durations_read_as_words(demo: dict[str, User], client: Client) -> None:
    agreement = Agreement.objects.filter(classification_level__lte=2).order_by("pk").first()
    assert agreement is not None
    client.force_login(demo["us_operator"])
    text = visible_text(client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode())
    assert not re.search(r"\d+:\d\d:\d\d", text), "a duration shown as H:MM:SS"


def test_a_code_reads_as_its_label_in_one_filter() -> None:
    assert label_of("in_negotiation") == "In negotiation"
    # A code two vocabularies label differently, from the one named.
    assert label_of("partial", "RequestStatus") == "Partially fulfilled"
    assert label_of("partial", "BatchStatus") == "Partly accepted"
    assert label_of(["azimuth_elevation", "range_rate"]) == "Azimuth / elevation, Range-rate"
    assert label_of("human_spaceflight") == "Human spaceflight support"
    assert label_of("no_such_code") == "No such code"
    assert label_of(None) == "—"


def test_a_duration_reads_in_words_in_one_filter() -> None:
    assert span(dt.timedelta(days=2)) == "2 days"
    assert span(dt.timedelta(hours=3, minutes=20)) == "3 h 20 min"
    assert span(dt.timedelta(minutes=-12)) == "overdue 12 min"
    assert duration(dt.timedelta(hours=50)) == span(dt.timedelta(hours=50)) == "2 days 2 h"
