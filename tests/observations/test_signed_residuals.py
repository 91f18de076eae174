"""Associated observations keep their signed residuals per measured value and the element set
they come from; a reader sees them only with that element set (and the sensor's biases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.test import Client

from catalog.models import ElementSet
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import Observation
from catalog.observations.services.ingest import ingest_bytes
from catalog.observations.services.synthetic import catalog_satrecs, generate_tracks
from catalog.services.importer import import_records
from catalog.services.synthetic import REFERENCE_EPOCH, synthetic_catalog
from portal.markings.models import marking_columns
from tests.observations.helpers import payload

pytestmark = pytest.mark.django_db
START = REFERENCE_EPOCH + dt.timedelta(hours=2)
SIGNED = (
    "residual_azimuth_deg",
    "residual_elevation_deg",
    "residual_range_km",
    "residual_range_rate_km_s",
)


def delivered(world: Any, sensor: str, user: str, seed: int = 3) -> list[Observation]:
    elements = list(synthetic_catalog(150, seed=seed))
    import_records(elements, marking="UNCLASSIFIED")
    satrecs, numbers = catalog_satrecs(elements)
    gen = generate_tracks(satrecs, numbers, 40, start=START, sites=[world.site(sensor)], seed=seed)
    result = ingest_bytes(world.users[user], payload(gen.records, "udl-json"))
    assert result.batch.accepted == len(gen.records), result.errors[:3]
    associated = list(
        Observation.objects.filter(association=AssociationStatus.ASSOCIATED).select_related("space_object")
    )
    assert len(associated) > 20
    return associated


def test_radar_observations_keep_signed_residuals_and_their_element_set(world: Any, media: Any) -> None:
    for obs in delivered(world, "us_radar", "us_operator"):
        assert obs.space_object is not None
        assert obs.residual_element_set_id == obs.space_object.current_elset_id
        for name in SIGNED:
            assert getattr(obs, name) is not None, name
        assert obs.residual_ra_deg is None and obs.residual_declination_deg is None
        # The signed angles make up the angle between the lines of sight (small angles).
        d_az, d_el = float(obs.residual_azimuth_deg or 0.0), float(obs.residual_elevation_deg or 0.0)
        on_sky = np.hypot(d_az * np.cos(np.radians(float(obs.elevation_deg_corr or 0.0))), d_el)
        assert on_sky == pytest.approx(obs.residual_angle_deg, rel=1e-3, abs=1e-7)
    # Signed, not magnitudes: both signs occur over the delivery.
    values = np.array(
        [o.residual_elevation_deg for o in Observation.objects.exclude(residual_elevation_deg=None)]
    )
    assert (values > 0).any() and (values < 0).any()


def test_residuals_from_a_hidden_element_set_are_withheld(
    world: Any, media: Any, api_client_for: Any, client: Client
) -> None:
    observations = delivered(world, "uk_radar", "uk_staff", seed=5)
    ElementSet.objects.filter(pk__in=[o.residual_element_set_id for o in observations]).update(
        **marking_columns("SECRET//NOFORN")
    )
    stored = observations[0]
    uk = api_client_for(world.users["uk_staff"])
    for body in (
        uk.get(f"/api/observations/{stored.pk}/").json(),
        next(r for r in uk.get("/api/observations/?page_size=500").json()["results"] if r["id"] == stored.pk),
    ):
        assert body["azimuth_deg"] == stored.azimuth_deg  # the observation itself stays readable
        for name in ("residual_angle_deg", *SIGNED):
            assert body[name] is None, name
    client.force_login(world.users["uk_staff"])
    page = client.get(f"/observations/{stored.pk}/").content.decode()
    assert f"{stored.residual_elevation_deg:.6f}" not in page
    # A reader of the element set sees them, on the API and the page.
    full = api_client_for(world.users["security_officer"]).get(f"/api/observations/{stored.pk}/").json()
    assert full["residual_elevation_deg"] == pytest.approx(stored.residual_elevation_deg)
    client.force_login(world.users["security_officer"])
    page = client.get(f"/observations/{stored.pk}/").content.decode()
    assert f"{stored.residual_elevation_deg:.6f}" in page
