"""Bias-corrected values are derived from the sensor's biases: a reader who may not read a
bias sees the raw values only, so `raw - corrected` cannot give the hidden bias away."""

from __future__ import annotations

from typing import Any

from django.test import Client

from agreements.choices import MeasurementType
from catalog.observations.models import Observation
from portal.markings.models import marking_columns
from tests.observations.conftest import add_bias
from tests.observations.helpers import optical_record, payload


def test_a_partner_sees_no_value_corrected_by_a_bias_it_may_not_read(
    world: Any, media: Any, api_client_for: Any, client: Client
) -> None:
    bias = add_bias(world.sensors["uk_optical"], MeasurementType.RA_DEC, 0.0123)
    type(bias).objects.filter(pk=bias.pk).update(**marking_columns("TOP SECRET//NOFORN"))
    uk = api_client_for(world.users["uk_staff"])
    delivered = uk.post(
        "/api/observations/", payload([optical_record(1)], "udl-json"), content_type="application/json"
    )
    assert delivered.status_code == 201
    stored = Observation.objects.get()
    assert stored.ra_deg_corr is not None and stored.ra_deg_corr != stored.ra_deg
    for body in (
        uk.get("/api/observations/").json()["results"][0],
        uk.get(f"/api/observations/{stored.pk}/").json(),
    ):
        assert body["ra_deg"] == stored.ra_deg
        assert body["ra_deg_corr"] is None and body["declination_deg_corr"] is None
    client.force_login(world.users["uk_staff"])
    for url in ("/observations/", f"/observations/{stored.pk}/"):
        page = client.get(url).content.decode()
        assert f"{stored.ra_deg_corr:.5f}" not in page
    full = api_client_for(world.users["security_officer"]).get(f"/api/observations/{stored.pk}/").json()
    assert full["ra_deg_corr"] == stored.ra_deg_corr
