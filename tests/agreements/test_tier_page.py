"""The agreement admin edits an integration tier in the browser; others cannot; it is audited."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from agreements.models import TierDefinition
from portal.models import AuditEvent, User


def form_of(tier: TierDefinition, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": tier.name,
        "description": tier.description,
        "max_delivery_latency": "",
        "required_fields": ", ".join(tier.required_fields),
        "required_formats": list(tier.required_formats),
        "missions": list(tier.missions),
    }
    if tier.admits_observation_ingest:
        data["admits_observation_ingest"] = "on"
    for measurement, limits in tier.calibration_criteria.items():
        data[f"{measurement}__max_bias"] = str(limits["max_bias"])
        data[f"{measurement}__max_noise"] = str(limits["max_noise"])
    data.update(changes)
    return data


def test_the_agreement_admin_edits_a_tiers_criteria_and_it_is_audited(
    tiers: None, coalition: dict[str, User], client: Client
) -> None:
    tier = TierDefinition.objects.get(level=2)
    client.force_login(coalition["agreement_admin"])
    listing = client.get(reverse("tier-list")).content.decode()
    assert reverse("tier-edit", args=[2]) in listing
    page = client.get(reverse("tier-edit", args=[2]))
    assert page.status_code == 200
    assert 'name="range__max_bias"' in page.content.decode()
    saved = client.post(
        reverse("tier-edit", args=[2]),
        form_of(tier, name="Level 2 (revised)", range__max_bias="0.25", range__max_noise="0.5"),
    )
    assert saved.status_code == 302
    tier.refresh_from_db()
    assert tier.name == "Level 2 (revised)"
    assert tier.calibration_criteria["range"] == {"max_bias": 0.25, "max_noise": 0.5}
    event = AuditEvent.objects.filter(model="agreements.tierdefinition", object_id=str(tier.pk)).latest("pk")
    assert (event.action, event.actor_name) == ("update", "agreement_admin")


def test_a_half_given_criterion_and_an_ingesting_level_without_criteria_are_refused(
    tiers: None, coalition: dict[str, User], client: Client
) -> None:
    tier = TierDefinition.objects.get(level=2)
    client.force_login(coalition["agreement_admin"])
    half = client.post(
        reverse("tier-edit", args=[2]), form_of(tier, range__max_bias="0.25", range__max_noise="")
    )
    assert half.status_code == 400
    assert "Give both a max bias and a max noise" in half.content.decode()
    emptied = {k: v for k, v in form_of(tier).items() if "__max_" not in k}
    refused = client.post(reverse("tier-edit", args=[2]), emptied)
    assert refused.status_code == 400
    assert "needs calibration criteria" in refused.content.decode()
    tier.refresh_from_db()
    assert tier.calibration_criteria


def test_only_agreement_admins_reach_the_tier_editor(
    tiers: None, coalition: dict[str, User], client: Client
) -> None:
    tier = TierDefinition.objects.get(level=2)
    for name in ["us_operator", "uk_staff", "security_officer"]:
        client.force_login(coalition[name])
        assert client.get(reverse("tier-edit", args=[2])).status_code == 404
        assert client.post(reverse("tier-edit", args=[2]), form_of(tier, name="x")).status_code == 404
        assert reverse("tier-edit", args=[2]) not in client.get(reverse("tier-list")).content.decode()
    tier.refresh_from_db()
    assert tier.name != "x"
