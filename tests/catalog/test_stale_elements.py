"""Pages that predict from an element set warn when the set is older than its regime allows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import ElementSet
from catalog.services.freshness import staleness
from catalog.services.synthetic import demo_day
from portal.models import User

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("age_days", "mean_motion", "eccentricity", "warned"),
    [
        (2.0, 15.5, 0.0007, False),  # LEO, 2 days: fine
        (4.0, 15.5, 0.0007, True),  # LEO, 4 days: stale
        (10.0, 1.0027, 0.0002, False),  # GEO, 10 days: fine
        (20.0, 1.0027, 0.0002, True),  # GEO, 20 days: stale
        (990.0, 15.5, 0.0007, True),
    ],
)
def test_staleness_by_regime(age_days: float, mean_motion: float, eccentricity: float, warned: bool) -> None:
    warning = staleness(AT - dt.timedelta(days=age_days), mean_motion, eccentricity, AT)
    assert (warning is not None) is warned
    if warned:
        assert f"{age_days:.1f} days" in (warning or "")


def test_the_seed_dates_its_sets_from_today_so_they_are_fresh(demo_catalog: dict) -> None:
    iss = ElementSet.objects.filter(space_object__catalog_number=25544).order_by("-epoch").first()
    assert iss is not None
    now = dt.datetime.now(dt.UTC)
    # Epochs in the hours before today 00:00 UTC, after the demo day of observations.
    assert demo_day() < iss.epoch <= now
    assert now - iss.epoch < dt.timedelta(hours=30)


def test_the_object_page_warns_about_a_stale_set(demo_catalog: dict, client: Client) -> None:
    client.force_login(User.objects.get(username="us_operator"))
    page = client.get(reverse("spaceobject-detail", args=[25544])).content.decode()
    assert "stale-elements" not in page
    ElementSet.objects.filter(space_object__catalog_number=25544).update(
        epoch=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    )
    page = client.get(reverse("spaceobject-detail", args=[25544])).content.decode()
    assert "stale-elements" in page and "LEO sets are good for 3 days" in page
