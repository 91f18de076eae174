"""An element set its reader may read names no import run they may not read."""

from __future__ import annotations

import json
from typing import Any

from catalog.models import ElementSet, SyncRun
from portal.markings.models import marking_columns
from portal.models import User

from .conftest import elset, load


def test_an_element_set_gives_no_hidden_import_runs_id(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    load([elset(44001)])
    run = SyncRun.objects.create(label="black feed", **marking_columns("TOP SECRET//NOFORN"))
    ElementSet.objects.update(sync_run=run)
    elements = ElementSet.objects.get()
    api = api_client_for(coalition["uk_staff"])
    pulled = api.get("/api/catalog/elsets/").json()["results"]
    detail = api.get(f"/api/catalog/elsets/{elements.pk}/").json()
    for body in (pulled[0], detail):
        assert body["sync_run"] is None
        assert str(run.run_id) not in json.dumps(body)
    full = api_client_for(coalition["security_officer"]).get(f"/api/catalog/elsets/{elements.pk}/").json()
    assert full["sync_run"] == str(run.run_id)


def test_the_admins_raw_id_box_gives_no_hidden_import_runs_id(coalition: dict[str, User]) -> None:
    from django.test import Client
    from django.urls import reverse

    from portal.testing import sign_in

    load([elset(44001)])
    run = SyncRun.objects.create(label="black feed", **marking_columns("TOP SECRET//NOFORN"))
    ElementSet.objects.update(sync_run=run)
    elements = ElementSet.objects.get()
    root = User.objects.create_superuser("root", nationality="GBR", clearance=3, password="x")
    page = sign_in(Client(), root).get(reverse("admin:catalog_elementset_change", args=[elements.pk]))
    assert page.status_code == 200
    box = str(page.context["adminform"].form["sync_run"])
    assert 'name="sync_run"' in box
    assert "value=" not in box.split('name="sync_run"')[1].split(">")[0]
    assert "black feed" not in page.content.decode()
