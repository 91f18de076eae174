"""Association on generated tracks: precision and recall, UCTs, the named object first, scale-out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from catalog.astro.association import UCT, ObservationArrays, associate, precision_recall
from catalog.astro.propagation import utc_to_jd_fr
from catalog.models import SpaceObject
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import Observation
from catalog.observations.services.ingest import ingest_bytes
from catalog.observations.services.synthetic import SITES, catalog_satrecs, generate_tracks
from catalog.services.importer import import_records
from catalog.services.synthetic import REFERENCE_EPOCH, synthetic_catalog
from tests.observations.helpers import payload

START = REFERENCE_EPOCH + dt.timedelta(hours=2)


def arrays_of(gen: Any) -> ObservationArrays:
    recs = gen.records
    obs = ObservationArrays.empty_like(len(recs))
    obs.jd, obs.fr = utc_to_jd_fr([r.ob_time for r in recs])

    def col(name: str) -> np.ndarray:
        return np.array([np.nan if getattr(r, name) is None else getattr(r, name) for r in recs])

    obs.site_lat_deg = np.array([s.lat_deg for s in gen.sites])
    obs.site_lon_deg = np.array([s.lon_deg for s in gen.sites])
    obs.site_alt_km = np.array([s.alt_km for s in gen.sites])
    obs.site_max_range_km = np.array([s.max_range_km for s in gen.sites])
    for name in (
        "azimuth_deg",
        "elevation_deg",
        "range_km",
        "range_rate_km_s",
        "ra_deg",
        "declination_deg",
        "range_unc_km",
        "range_rate_unc_km_s",
    ):
        setattr(obs, name, col(name))
    obs.angle_unc_deg = np.fmax(col("azimuth_unc_deg"), col("ra_unc_deg"))
    return obs


@pytest.fixture(scope="module")
def population() -> tuple[list[Any], list[int], list[Any]]:
    elements = list(synthetic_catalog(3150, seed=11))
    satrecs, numbers = catalog_satrecs(elements)
    return satrecs[:3000], numbers[:3000], satrecs[3000:]


def test_precision_and_recall_on_generated_tracks(population: Any) -> None:
    catalog, numbers, hidden = population
    gen = generate_tracks(catalog, numbers, 6000, start=START, hidden=hidden, hidden_share=0.1, seed=3)
    result = associate(catalog, arrays_of(gen))
    row = {n: i for i, n in enumerate(numbers)}
    truth = np.array([UCT if n is None else row[n] for n in gen.truth])
    precision, recall = precision_recall(result.candidate, truth)
    radar = np.array([s.radar for s in gen.sites])
    print(
        f"\nassociation of {len(truth)} obs (radar {radar.sum()}, optical {(~radar).sum()}), "
        f"{(truth == UCT).sum()} true UCTs: precision {precision:.4f}, recall {recall:.4f}"
    )
    assert precision >= 0.99
    assert recall >= 0.99
    # Far fewer exact predictions than observations x objects.
    assert result.pairs_checked < 5 * len(truth)


def test_a_wrong_named_object_does_not_stick(population: Any) -> None:
    catalog, numbers, _hidden = population
    gen = generate_tracks(catalog, numbers, 200, start=START, seed=5)
    obs = arrays_of(gen)
    row = {n: i for i, n in enumerate(numbers)}
    truth = np.array([row[n] for n in gen.truth])
    obs.preferred = (truth + 1) % len(catalog)  # every observation names the wrong object
    result = associate(catalog, obs)
    assert precision_recall(result.candidate, truth) == (1.0, 1.0)
    obs.preferred = truth
    named = associate(catalog, obs)
    assert (named.candidate == truth).all()
    assert named.buckets > 0  # the named object is compared with the others, never taken unsearched


@pytest.mark.django_db
def test_ingested_observations_are_associated_with_catalog_objects(world: Any, media: Any) -> None:
    elements = list(synthetic_catalog(600, seed=21))
    import_records(elements[:500], marking="UNCLASSIFIED")
    satrecs, numbers = catalog_satrecs(elements)
    site = world.site("us_radar")
    gen = generate_tracks(
        satrecs[:500],
        numbers[:500],
        300,
        start=START,
        hidden=satrecs[500:],
        hidden_share=0.2,
        sites=[site],
        seed=9,
    )
    result = ingest_bytes(world.users["us_operator"], payload(gen.records, "udl-json"))
    assert result.batch.accepted == len(gen.records), result.errors[:3]
    stored = {(o.ob_time, o.track_id): o for o in Observation.objects.select_related("space_object")}
    right = wrong = uct_right = uct_wrong = 0
    for record, truth in zip(gen.records, gen.truth, strict=True):
        obs = stored[(record.ob_time, record.track_id)]
        if truth is None:
            uct_right += obs.association == AssociationStatus.UCT
            uct_wrong += obs.association != AssociationStatus.UCT
        elif obs.space_object is not None and obs.space_object.catalog_number == truth:
            right += 1
        else:
            wrong += 1
    assert wrong == 0
    assert uct_wrong == 0
    assert right > 0 and uct_right > 0
    associated = Observation.objects.filter(association=AssociationStatus.ASSOCIATED)
    assert associated.exclude(residual_angle_deg=None).count() == associated.count()
    assert max(abs(v) for v in associated.values_list("residual_angle_deg", flat=True)) < 0.1
    assert SpaceObject.objects.filter(observations__isnull=False).exists()
    # How sure each association is stays on the observation.
    assert associated.filter(association_candidates__gte=1).count() == associated.count()
    assert associated.filter(association_score__isnull=True).count() == 0
    assert not Observation.objects.filter(association=AssociationStatus.UCT, association_score__isnull=False)


@pytest.mark.django_db
def test_the_explorer_shows_uct_and_a_residual_sparkline(world: Any, media: Any, client: Any) -> None:
    elements = list(synthetic_catalog(300, seed=31))
    import_records(elements[:250], marking="UNCLASSIFIED")
    satrecs, numbers = catalog_satrecs(elements)
    gen = generate_tracks(
        satrecs[:250],
        numbers[:250],
        60,
        start=START,
        hidden=satrecs[250:],
        hidden_share=0.3,
        sites=[world.site("us_radar")],
        seed=4,
    )
    ingest_bytes(world.users["us_operator"], payload(gen.records, "udl-json"))
    client.force_login(world.users["us_operator"])
    page = client.get("/observations/").content.decode()
    assert "<polyline" in page
    assert "UCT" in page
    ucts = client.get("/observations/?uct=yes").content.decode()
    assert ucts.count("<strong>UCT</strong>") == Observation.objects.filter(association="uct").count()


def test_sites_are_real_world_like() -> None:
    assert len({s.number for s in SITES}) == len(SITES)


@pytest.mark.django_db
def test_a_tasked_delivery_links_the_request_and_checks_its_target_first(world: Any, media: Any) -> None:
    from tasking.models import TaskingRequest
    from tasking.models.requests import RequestTarget

    elements = list(synthetic_catalog(200, seed=41))
    import_records(elements, marking="UNCLASSIFIED")
    satrecs, numbers = catalog_satrecs(elements)
    gen = generate_tracks(satrecs, numbers, 10, start=START, sites=[world.site("us_radar")], seed=2)
    target = SpaceObject.objects.get(catalog_number=gen.truth[0])
    us = world.users["us_operator"]
    request = TaskingRequest(title="track it", spoc=us.spoc, purpose="catalog_maintenance", requested_by=us)
    request.marking = "UNCLASSIFIED"
    request.save()
    RequestTarget.objects.create(request=request, space_object=target)
    track = [r for r, t in zip(gen.records, gen.truth, strict=True) if t == target.catalog_number]
    result = ingest_bytes(us, payload(track, "udl-json"), tasking_request=request.pk)
    assert result.batch.accepted == len(track)
    stored = Observation.objects.filter(batch=result.batch)
    assert {o.tasking_request_id for o in stored} == {request.pk}
    assert {o.space_object_id for o in stored} == {target.pk}
    # Someone else's request cannot be named.
    refused = ingest_bytes(world.users["uk_staff"], payload([], "udl-json"), tasking_request=request.pk)
    assert "tasking request" in refused.batch.message


def test_the_sensor_calibrated_noise_is_the_sigma_of_its_measurements(world: Any) -> None:
    from catalog.observations.services.association import Candidates, _arrays
    from tests.observations.conftest import add_bias

    sensor = world.sensors["us_radar"]
    add_bias(sensor, "range", 0.0)  # noise sigma 0.01 km
    row = (1, sensor.pk, START, 10.0, 20.0, 1000.0, -1.0, None, None, 0.02, None, 0.5, 0.003, "", None, None)
    empty = Candidates([], np.empty(0, dtype=np.int64), {}, None)
    obs = _arrays([row], {sensor.pk: sensor}, empty, {})
    assert obs.range_unc_km[0] == 0.01  # calibrated, not the 0.5 km the record states
    assert obs.range_rate_unc_km_s[0] == 0.003  # no calibration: the record's own
    assert obs.angle_unc_deg[0] == 0.02


@pytest.mark.django_db
def test_the_uct_list_says_which_uct_was_near_a_stale_set(world: Any, media: Any, client: Any) -> None:
    elements = list(synthetic_catalog(40, seed=41))
    import_records(elements, marking="UNCLASSIFIED")
    satrecs, numbers = catalog_satrecs(elements)
    gen = generate_tracks(satrecs, numbers, 20, start=START, sites=[world.site("us_radar")], seed=2)
    ingest_bytes(world.users["us_operator"], payload(gen.records, "udl-json"), associate=False)
    stale = SpaceObject.objects.get(catalog_number=numbers[0])
    Observation.objects.update(association=AssociationStatus.UCT, near_stale_set=stale)
    client.force_login(world.users["us_operator"])
    page = client.get("/observations/?uct=yes").content.decode()
    assert f"near the stale set of {stale.catalog_number}" in page
    # A reader who may not see the object is not told of it.
    SpaceObject.objects.filter(pk=stale.pk).update(classification_level=4, noforn=True)
    client.force_login(world.users["uk_staff"])
    Observation.objects.update(classification_level=0, noforn=False, rel_mask=-1)
    hidden = client.get("/observations/?uct=yes").content.decode()
    assert "<strong>UCT</strong>" in hidden and "near the stale set" not in hidden
