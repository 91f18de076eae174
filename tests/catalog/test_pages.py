"""The catalog's pages for every persona: search, object page with ground track, sync runs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from catalog.choices import MappingStatus
from catalog.models import ElementSet, PartnerObjectMapping, SpaceObject, SyncRun
from catalog.seed import ANALYST, RESTRICTED
from portal.markings.models import marking_columns
from portal.models import User
from tests.catalog.test_partner_api import ANALYST_READERS, EVERYONE, RESTRICTED_READERS, UK_SET_READERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_each_persona_finds_only_what_it_may_read(
    demo_catalog: dict[str, User], client: Client, username: str
) -> None:
    client.force_login(demo_catalog[username])
    page = client.get(reverse("spaceobject-list"), {"name": "OBJECT"}).content.decode()
    assert ("ANALYST OBJECT 1" in page) == (username in ANALYST_READERS)
    assert ("RESTRICTED OBJECT" in page) == (username in RESTRICTED_READERS)
    for record in (*ANALYST, *RESTRICTED):
        expected = (
            200 if (username in (RESTRICTED_READERS if record in RESTRICTED else ANALYST_READERS)) else 404
        )
        assert client.get(reverse("spaceobject-detail", args=[record.norad_cat_id])).status_code == expected
    iss = client.get(reverse("spaceobject-detail", args=[25544])).content.decode()
    assert ("(CUI//REL)" in iss) == (username in UK_SET_READERS)
    assert "<polyline" in iss
    assert client.get(reverse("spaceobject-detail", args=[123456789])).status_code == 404


def test_search_filters_by_number_type_country_and_regime(
    demo_catalog: dict[str, User], client: Client
) -> None:
    client.force_login(demo_catalog["us_operator"])
    url = reverse("spaceobject-list")
    assert "ISS (ZARYA)" in client.get(url, {"number": 25544}).content.decode()
    geo = client.get(url, {"regime": "GEO", "country": "ITSO", "type": "payload"}).content.decode()
    assert "INTELSAT 901" in geo and "ISS (ZARYA)" not in geo
    assert "HST" in client.get(url, {"designator": "1990-037"}).content.decode()
    # A value outside the choices is a 400 naming the parameter, as every filter answers it.
    refused = client.get(url, {"regime": "NOPE"})
    assert refused.status_code == 400 and "regime" in refused.content.decode()


def test_the_banner_follows_the_most_restricted_row_shown(
    demo_catalog: dict[str, User], client: Client
) -> None:
    client.force_login(demo_catalog["us_operator"])
    page = client.get(reverse("spaceobject-detail", args=[RESTRICTED[0].norad_cat_id])).content.decode()
    assert "SECRET//NOFORN" in page and "(S//NF)" in page


def test_sync_run_history_shows_counts_and_errors(demo_catalog: dict[str, User], client: Client) -> None:
    from catalog.services.importer import import_file
    from tests.catalog.conftest import SAMPLES

    import_file(SAMPLES / "elements_bad.tle", marking="UNCLASSIFIED")
    client.force_login(demo_catalog["us_operator"])
    page = client.get(reverse("syncrun-list")).content.decode()
    assert "elements_bad.tle" in page and "CHECKSUM" in page and "CelesTrak GP" in page
    assert "demo seed: restricted object" in page
    client.force_login(demo_catalog["uk_staff"])
    partner = client.get(reverse("syncrun-list")).content.decode()
    assert "elements_bad.tle" not in partner
    assert "demo seed: restricted object" not in partner


def test_mapping_conflicts_page_lists_the_seeded_conflict(
    demo_catalog: dict[str, User], client: Client
) -> None:
    client.force_login(demo_catalog["agreement_admin"])
    page = client.get(reverse("mapping-conflicts")).content.decode()
    assert "UK-ISS" in page and "INTELSAT" in page
    client.force_login(demo_catalog["uk_staff"])
    assert client.get(reverse("mapping-conflicts")).status_code == 404


def test_seeding_twice_changes_nothing(demo_catalog: dict[str, User]) -> None:
    from catalog.seed import seed

    counts = (SpaceObject.objects.count(), ElementSet.objects.count(), SyncRun.objects.count())
    assert seed()["element_sets"] == counts[1]
    assert (SpaceObject.objects.count(), ElementSet.objects.count(), SyncRun.objects.count()) == counts


def test_a_conflict_names_no_object_its_reader_may_not_read(
    demo_catalog: dict[str, User], client: Client
) -> None:
    # A mapping is marked as its submitter marked it, not as the object it claims.
    conflict = PartnerObjectMapping.objects.get(status=MappingStatus.CONFLICT)
    claimed = conflict.space_object
    PartnerObjectMapping.objects.filter(pk=conflict.pk).update(**marking_columns("CUI//REL TO USA, GBR"))
    SpaceObject.objects.filter(pk=claimed.pk).update(**marking_columns("TOP SECRET//NOFORN"))
    client.force_login(demo_catalog["us_operator"])  # SECRET: reads the mapping, not the object
    page = client.get(reverse("mapping-conflicts")).content.decode()
    assert conflict.partner_object_id not in page
    assert claimed.name not in page and f"/catalog/{claimed.catalog_number}/" not in page
