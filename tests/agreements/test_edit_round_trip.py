"""An edit form posted back unchanged changes nothing: every field, dates included, round-trips."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from agreements.seed import seed
from portal.models import User

pytestmark = pytest.mark.django_db


class FormValues(HTMLParser):
    """What a browser would submit for each POST form of a page, as multi-value dicts."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form, self.data = True, {}
            self.forms.append(self.data)
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the one newline that follows the opening tag.
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False


def submitted_values(page: str) -> dict[str, list[str]]:
    parser = FormValues()
    parser.feed(page)
    # The page's editor is its largest form (the header's sign-out is a form too).
    return max(parser.forms, key=len)


def snapshot(agreement: Agreement) -> dict[str, Any]:
    agreement.refresh_from_db()
    values = model_to_dict(agreement)
    values["sensors"] = sorted(s.pk for s in values["sensors"])
    # The agreed formats are a set: the editor lists them in the choices' order.
    values["data_formats"] = sorted(values["data_formats"])
    values["plan"] = sorted(
        (e.sensor_id, e.taskability, e.deliveries_per_week, e.timeliness, e.notes)
        for e in agreement.data_plan.all()
    )
    return values


def test_every_seeded_agreement_saved_unchanged_keeps_every_field(coalition: Any, client: Client) -> None:
    seed()
    client.force_login(User.objects.get(username="agreement_admin"))
    agreements = list(Agreement.objects.all())
    assert agreements
    for agreement in agreements:
        before = snapshot(agreement)
        assert before["effective_from"] is not None
        page = client.get(reverse("agreement-edit", args=[agreement.pk]))
        assert page.status_code == 200
        answer = client.post(reverse("agreement-edit", args=[agreement.pk]), submitted_values(page.text))
        assert answer.status_code == 302, (agreement.title, answer.text[:2000])
        assert snapshot(agreement) == before, agreement.title


def test_the_edit_page_renders_dates_in_iso_form(coalition: Any, client: Client) -> None:
    seed()
    client.force_login(User.objects.get(username="agreement_admin"))
    agreement = Agreement.objects.exclude(expires_on=None).first()
    assert agreement is not None
    page = client.get(reverse("agreement-edit", args=[agreement.pk])).text
    values = submitted_values(page)
    assert values["effective_from"] == [agreement.effective_from.isoformat()]
    assert values["expires_on"] == [agreement.expires_on.isoformat()]


def _project_form_classes() -> list[type[forms.BaseForm]]:
    import agreements.forms
    import portal.forms
    import tasking.forms

    found = []
    for module in (agreements.forms, portal.forms, tasking.forms):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


@pytest.mark.parametrize("form_class", _project_form_classes(), ids=lambda c: c.__name__)
def test_every_date_and_time_input_renders_what_the_browser_reads(form_class: type[forms.BaseForm]) -> None:
    """`<input type=date>` reads only YYYY-MM-DD and `datetime-local` only YYYY-MM-DDTHH:MM: any
    other rendering shows empty and saving clears the field."""
    import datetime as dt

    expected = {"date": "2023-04-01", "datetime-local": "2023-04-01T06:30"}
    fields: dict[str, forms.Field] = getattr(form_class, "base_fields", {})
    for name, field in fields.items():
        widget = field.widget
        kind = getattr(widget, "input_type", None)
        if kind not in expected:
            continue
        value = dt.date(2023, 4, 1) if kind == "date" else dt.datetime(2023, 4, 1, 6, 30, tzinfo=dt.UTC)
        assert widget.format_value(value) == expected[kind], (form_class.__name__, name)
