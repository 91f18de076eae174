"""Records belong to a SpOC: authored on behalf of the author's own SpOC, changed only by its staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from portal import ownership
from portal.markings.models import MarkedModel
from portal.models import Notice, SpOC, User


def _notice(title: str) -> Notice:
    return Notice.objects.get(title=title)


FRENCH = "GRAVES-like radar coverage change"  # fr-spoc, C//REL TO USA, FRA
AMERICAN_SECRET = "Heightened RPO activity in GEO belt"  # us-spoc, S//REL TO USA, FVEY
BRITISH = "Starbrook-like telescope maintenance"  # uk-spoc, CUI//REL TO USA, GBR


def test_staff_of_another_spoc_cannot_edit_a_notice(coalition: dict[str, User], api_client_for: Any) -> None:
    notice = _notice(FRENCH)
    answer = api_client_for(coalition["us_operator"]).patch(
        f"/api/notices/{notice.pk}/", {"title": "edited"}, format="json"
    )
    assert answer.status_code == 403
    notice.refresh_from_db()
    assert notice.title == FRENCH


def test_the_first_notice_is_not_editable_by_french_staff(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    first = Notice.objects.order_by("pk").first()
    assert first is not None and first.spoc is not None and first.spoc.code != "fr-spoc"
    answer = api_client_for(coalition["fr_staff"]).patch(
        f"/api/notices/{first.pk}/", {"title": "edited"}, format="json"
    )
    assert answer.status_code == 403


def test_british_staff_cannot_lower_an_american_secret_notice(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    notice = _notice(AMERICAN_SECRET)
    answer = api_client_for(coalition["uk_staff"]).patch(
        f"/api/notices/{notice.pk}/", {"marking": "UNCLASSIFIED"}, format="json"
    )
    assert answer.status_code == 403
    notice.refresh_from_db()
    assert notice.marking.banner == "SECRET//REL TO USA, AUS, CAN, GBR, NZL"


def test_a_notice_is_posted_for_the_authors_own_spoc_whatever_the_body_says(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    uk = SpOC.objects.get(code="uk-spoc")
    answer = api_client_for(coalition["fr_staff"]).post(
        "/api/notices/",
        {"title": "t", "body": "b", "marking": "UNCLASSIFIED", "spoc": uk.pk},
        format="json",
    )
    assert answer.status_code == 201
    assert Notice.objects.get(pk=answer.json()["id"]).spoc == SpOC.objects.get(code="fr-spoc")


def test_someone_without_a_spoc_cannot_post_a_notice(coalition: dict[str, User], api_client_for: Any) -> None:
    answer = api_client_for(coalition["visitor"]).post(
        "/api/notices/", {"title": "t", "body": "b", "marking": "UNCLASSIFIED"}, format="json"
    )
    assert answer.status_code == 403
    assert not Notice.objects.filter(title="t").exists()


def test_an_operator_cannot_delete_another_spocs_notice(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    notice = _notice(BRITISH)
    assert api_client_for(coalition["us_operator"]).delete(f"/api/notices/{notice.pk}/").status_code == 403
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_the_owning_spocs_staff_edit_and_delete_their_notice(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    notice = _notice(BRITISH)
    api = api_client_for(coalition["uk_staff"])
    assert (
        api.patch(f"/api/notices/{notice.pk}/", {"body": "back on 6 Dec"}, format="json").status_code == 200
    )
    assert api.delete(f"/api/notices/{notice.pk}/").status_code == 204


def test_a_notice_created_in_the_browser_belongs_to_the_authors_spoc(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["fr_staff"])
    spoc = SpOC.objects.get(code="uk-spoc")
    client.post(
        reverse("notice-create"), {"title": "t", "body": "b", "marking": "UNCLASSIFIED", "spoc": spoc.pk}
    )
    assert Notice.objects.get(title="t").spoc == SpOC.objects.get(code="fr-spoc")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_deliveries_messages_and_mappings_keep_their_history(
    coalition: dict[str, User], api_client_for: Any, method: str
) -> None:
    api = api_client_for(coalition["uk_staff"])
    for prefix in ["observation-batches", "catalog/mappings", "observations"]:
        assert getattr(api, method)(f"/api/{prefix}/1/", {}, format="json").status_code in {403, 404, 405}


def test_every_model_with_an_owning_spoc_declares_its_rule() -> None:
    """A marked model with a SpOC foreign key is owned: the ownership module knows its rule."""
    for model in apps.get_models():
        if not issubclass(model, MarkedModel):
            continue
        spoc_fields = [
            f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is SpOC
        ]
        if spoc_fields:
            assert ownership.rule_of(model) is not None, f"{model._meta.label} has no ownership rule"


def test_the_rule_itself(coalition: dict[str, User]) -> None:
    notice = _notice(BRITISH)
    assert ownership.may_change(coalition["uk_staff"], notice)
    assert not ownership.may_change(coalition["au_staff"], notice)
    assert not ownership.may_change(coalition["us_operator"], notice)
    assert not ownership.may_change(coalition["security_officer"], notice)
    assert ownership.may_change(coalition["us_operator"], _notice(AMERICAN_SECRET))
