"""The filing page helps the operator: a catalog picker, a pass preview before submitting, window
presets, the agreement's default marking, one priority vocabulary, a tier label that says which
way is stricter, and times in UTC ISO form. The picker and the preview read as the filer: a
hidden object is exactly as absent as a missing one, a hidden sensor is not in the preview."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agreements.choices import SensorType
from catalog.models import SpaceObject
from tasking.models import PredictedPass, TaskingRequest

from .conftest import World, make_object, make_sensor


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


@pytest.fixture
def operator(world: World, client: Client) -> Client:
    client.force_login(world.users["us_operator"])
    SpaceObject.objects.filter(pk=world.iss.pk).update(intl_designator="1998-067A")
    # Above the operator's SECRET clearance: they may not know it exists.
    make_object(99001, "HIDDEN SAT", "TOP SECRET//REL TO USA, GBR")
    SpaceObject.objects.filter(catalog_number=99001).update(intl_designator="2025-999A")
    return client


def fields(world: World, **overrides: Any) -> dict[str, Any]:
    start = world.now + dt.timedelta(hours=1)
    values: dict[str, Any] = {
        "title": "Track ISS after reboost",
        "spoc": world.spocs["uk-spoc"].pk,
        "targets": "25544",
        "window_start": iso(start),
        "window_end": iso(start + dt.timedelta(hours=24)),
        "priority_vocabulary": "precedence",
        "priority": "routine",
        "purpose": "human_spaceflight",
        "observation_type": "any_metric",
        "observations_wanted": "4",
        "tracks_wanted": "1",
        "minimum_tier": "3",
        "marking": "CUI//REL TO USA, GBR",
    }
    values.update(overrides)
    return values


def picks(client: Client, text: str) -> list[dict[str, Any]]:
    answer = client.get(reverse("request-catalog-pick"), {"q": text})
    assert answer.status_code == 200
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def test_a_search_for_nothing_is_refused_naming_the_parameter(operator: Client) -> None:
    for blank in ({}, {"q": ""}, {"q": "   "}):
        answer = operator.get(reverse("request-catalog-pick"), blank)
        assert answer.status_code == 400
        assert answer.json()["error"].startswith("q: ")


def test_the_picker_finds_an_object_by_number_name_or_designator(operator: Client) -> None:
    for text in ("25544", "2554", "zarya", "1998-067"):
        assert [p["catalog_number"] for p in picks(operator, text)] == [25544], text
    found = picks(operator, "25544")[0]
    assert found == {
        "catalog_number": 25544,
        "name": "ISS (ZARYA)",
        "intl_designator": "1998-067A",
        "marking": "UNCLASSIFIED",
        "portion": "U",
    }


def test_the_picker_puts_an_exact_number_first(world: World, operator: Client) -> None:
    make_object(255, "LOW NUMBER")
    make_object(2551, "ANOTHER")
    assert picks(operator, "255")[0]["catalog_number"] == 255
    assert [p["catalog_number"] for p in picks(operator, "2551")] == [2551]


def test_a_hidden_object_is_as_absent_from_the_picker_as_a_missing_one(operator: Client) -> None:
    for hidden, missing in (("99001", "99002"), ("HIDDEN SAT", "NO SUCH SAT"), ("2025-999", "2025-998")):
        assert operator.get(reverse("request-catalog-pick"), {"q": hidden}).content == (
            operator.get(reverse("request-catalog-pick"), {"q": missing}).content
        )
    assert picks(operator, "99001") == []


def test_only_operators_use_the_picker_and_the_preview(world: World, client: Client) -> None:
    client.force_login(world.users["uk_staff"])
    assert client.get(reverse("request-catalog-pick"), {"q": "25544"}).status_code in (403, 404)
    assert client.get(reverse("request-pass-preview"), fields(world)).status_code in (403, 404)


def test_the_preview_shows_the_passes_the_filed_request_gets(world: World, operator: Client) -> None:
    values = fields(world)
    answer = operator.get(reverse("request-pass-preview"), values)
    assert answer.status_code == 200
    html = answer.content.decode()
    shown = re.findall(r"<tr><td>25544 ISS \(ZARYA\)</td><td>([^<]+)</td><td>([0-9-]+ [0-9:]+)</td>", html)
    assert shown, html
    assert "Preview marked CUI//REL TO USA, GBR" in html

    operator.post(reverse("request-create"), values)
    filed = TaskingRequest.objects.get(title=values["title"])
    stored = [
        (p.sensor.name, f"{p.rise:%Y-%m-%d %H:%M}")
        for p in PredictedPass.objects.filter(request=filed).select_related("sensor").order_by("rise")
    ]
    assert shown == stored
    assert not PredictedPass.objects.exclude(request=filed).exists()  # the preview saved nothing


def test_the_preview_leaves_out_a_sensor_the_filer_may_not_read(world: World, operator: Client) -> None:
    make_sensor(
        world.spocs["uk-spoc"],
        9109,
        "Secret UK radar",
        SensorType.TRACKING_RADAR,
        51.0,
        -1.0,
        1,
        "TOP SECRET//REL TO USA, GBR",
    )
    html = operator.get(reverse("request-pass-preview"), fields(world)).content.decode()
    assert "Secret UK radar" not in html
    # The two UK sensors the operator reads, and no third.
    assert "over 2 sensors of" in html
    assert set(re.findall(r'<span class="sensor">([^<]+)</span>', html)) == {
        "Chilbolton-like radar",
        "UK telescope",
    }


def test_the_preview_says_a_hidden_target_is_unknown_exactly_as_a_missing_one(
    world: World, operator: Client
) -> None:
    hidden = operator.get(reverse("request-pass-preview"), fields(world, targets="99001")).content
    missing = operator.get(reverse("request-pass-preview"), fields(world, targets="99002")).content
    assert hidden.replace(b"99001", b"99002") == missing
    assert b"Unknown catalog number(s): 99002" in missing


def test_the_preview_says_why_it_cannot_predict(world: World, operator: Client) -> None:
    past = world.now - dt.timedelta(days=2)
    html = operator.get(
        reverse("request-pass-preview"),
        fields(world, window_start=iso(past), window_end=iso(past + dt.timedelta(hours=6))),
    ).content.decode()
    assert "already over" in html
    html = operator.get(reverse("request-pass-preview"), fields(world, spoc="")).content.decode()
    assert "Choose a partner SpOC or one sensor." in html


def test_an_empty_marking_takes_the_agreements_marking_for_shared_data(
    world: World, operator: Client
) -> None:
    answer = operator.post(reverse("request-create"), fields(world, marking=""))
    assert answer.status_code == 302, answer.content.decode()
    filed = TaskingRequest.objects.get(title="Track ISS after reboost")
    assert filed.marking.banner == world.agreements["uk"].default_releasability == "CUI//REL TO USA, GBR"


def test_the_page_offers_each_spocs_default_marking(world: World, operator: Client) -> None:
    page = operator.get(reverse("request-create"))
    defaults = page.context["default_markings"]
    assert defaults["spoc"][str(world.spocs["uk-spoc"].pk)] == "CUI//REL TO USA, GBR"
    assert defaults["sensor"][str(world.sensors["fr_radar"].pk)] == "CUI//REL TO USA, FRA"
    assert 'id="default-markings"' in page.content.decode()


def test_a_priority_from_the_other_vocabulary_is_refused(world: World, operator: Client) -> None:
    answer = operator.post(
        reverse("request-create"), fields(world, priority_vocabulary="ssn", priority="routine")
    )
    assert answer.status_code == 200
    assert "ROUTINE is not an SSN category" in answer.content.decode()
    answer = operator.post(
        reverse("request-create"), fields(world, priority_vocabulary="ssn", priority="cat2")
    )
    assert answer.status_code == 302
    assert TaskingRequest.objects.get().priority == "cat2"


def test_the_page_shows_one_vocabulary_per_group_a_tier_label_and_presets(
    world: World, operator: Client
) -> None:
    html = operator.get(reverse("request-create")).content.decode()
    assert '<optgroup label="Precedence">' in html and '<optgroup label="SSN category">' in html
    assert "Level 1 only (strictest: SSN-like sensors)" in html
    assert "Level 4 or closer (loosest: any integrated sensor)" in html
    assert "Level 1 is the strictest" in html
    for label in ("Next 6 h", "Next 24 h", "Next 3 days"):
        assert label in html
    assert 'data-preset-seconds="21600"' in html and 'data-preset-seconds="259200"' in html


def test_window_times_are_iso_utc_text_and_round_trip(world: World, operator: Client) -> None:
    values = fields(world, title="")  # refused, so the page renders the posted values back
    html = operator.post(reverse("request-create"), values).content.decode()
    for name in ("window_start", "window_end"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert tag is not None
        assert 'type="text"' in tag.group(0)
        assert f'value="{values[name]}"' in tag.group(0)
    answer = operator.post(reverse("request-create"), fields(world))
    assert answer.status_code == 302
    window = TaskingRequest.objects.get().windows.get()
    assert iso(window.start) == fields(world)["window_start"]


def test_the_preview_names_the_prediction_span_the_prediction_uses(
    world: World, operator: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tasking.services import elements, filing_help

    start = world.now + dt.timedelta(hours=1)
    long_window = fields(world, window_end=iso(start + dt.timedelta(days=4)))
    html = operator.get(reverse("request-pass-preview"), long_window).content.decode()
    assert "(passes are predicted for the first 3 days of the window)" in html
    # Passes are cut after a shorter span: the preview says that span.
    for module in (elements, filing_help):
        monkeypatch.setattr(module, "MAX_PREDICTION_SPAN", dt.timedelta(days=2))
    html = operator.get(reverse("request-pass-preview"), long_window).content.decode()
    assert "(passes are predicted for the first 2 days of the window)" in html
    short_window = fields(world, window_end=iso(start + dt.timedelta(days=1)))
    assert (
        "passes are predicted for the first"
        not in operator.get(reverse("request-pass-preview"), short_window).content.decode()
    )
