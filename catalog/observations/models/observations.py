"""Sensor observations, and the missions each is fit for."""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import F

from agreements.choices import Mission
from catalog.observations.choices import AssociationStatus, DataMode
from portal.markings.models import MarkedManager, MarkedModel, MarkedQuerySet

# Each mission owns one bit of `Observation.missions_mask`. Stored masks depend on the order:
# append only, never reorder.
MISSION_ORDER: tuple[str, ...] = (
    Mission.CONJUNCTION_ASSESSMENT,
    Mission.RPO,
    Mission.CATALOG_MAINTENANCE,
    Mission.LAUNCH_REENTRY_SUPPORT,
    Mission.EVENT_CUEING,
    Mission.INFORMATION_SHARING,
)
MISSION_BITS: dict[str, int] = {str(mission): 1 << index for index, mission in enumerate(MISSION_ORDER)}


def missions_mask(missions: Any) -> int:
    return sum(MISSION_BITS[str(m)] for m in set(missions or ()) if str(m) in MISSION_BITS)


def missions_of(mask: int) -> list[str]:
    return [mission for mission, bit in MISSION_BITS.items() if mask & bit]


class ObservationQuerySet(MarkedQuerySet):
    def fit_for(self, mission: str) -> Self:
        bit = MISSION_BITS[mission]
        return self.alias(_mission_bit=F("missions_mask").bitand(bit)).exclude(_mission_bit=0)


class ObservationManager(MarkedManager.from_queryset(ObservationQuerySet)):  # type: ignore[misc]
    pass


class Observation(MarkedModel):
    """One measurement of one object (or of nothing known: a UCT) by one sensor at one time.

    Raw values are kept as delivered; `*_corr` values have the sensor's current biases removed.
    Angles deg, ranges km, range-rates km/s; `*_unc` are one-sigma uncertainties.
    """

    sensor = models.ForeignKey("agreements.Sensor", on_delete=models.PROTECT, related_name="observations")
    batch = models.ForeignKey(
        "observations.IngestBatch", on_delete=models.PROTECT, related_name="observations"
    )
    ob_time = models.DateTimeField(db_index=True)
    client_id = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=32, unique=True)
    data_mode = models.CharField(max_length=9, choices=DataMode.choices, default=DataMode.REAL)
    track_id = models.CharField(max_length=100, blank=True)
    reported_sat_no = models.PositiveIntegerField(null=True, blank=True, help_text="As the sensor named it")
    reported_object = models.CharField(max_length=100, blank=True)

    range_km = models.FloatField(null=True, blank=True)
    range_unc_km = models.FloatField(null=True, blank=True)
    azimuth_deg = models.FloatField(null=True, blank=True)
    azimuth_unc_deg = models.FloatField(null=True, blank=True)
    elevation_deg = models.FloatField(null=True, blank=True)
    elevation_unc_deg = models.FloatField(null=True, blank=True)
    range_rate_km_s = models.FloatField(null=True, blank=True)
    range_rate_unc_km_s = models.FloatField(null=True, blank=True)
    ra_deg = models.FloatField(null=True, blank=True)
    ra_unc_deg = models.FloatField(null=True, blank=True)
    declination_deg = models.FloatField(null=True, blank=True)
    declination_unc_deg = models.FloatField(null=True, blank=True)
    frame = models.CharField(max_length=10, blank=True)
    magnitude = models.FloatField(null=True, blank=True)
    rcs_m2 = models.FloatField(null=True, blank=True)
    snr_db = models.FloatField(null=True, blank=True)

    range_km_corr = models.FloatField(null=True, blank=True)
    azimuth_deg_corr = models.FloatField(null=True, blank=True)
    elevation_deg_corr = models.FloatField(null=True, blank=True)
    range_rate_km_s_corr = models.FloatField(null=True, blank=True)
    ra_deg_corr = models.FloatField(null=True, blank=True)
    declination_deg_corr = models.FloatField(null=True, blank=True)

    space_object = models.ForeignKey(
        "catalog.SpaceObject", null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    association = models.CharField(
        max_length=10, choices=AssociationStatus.choices, default=AssociationStatus.PENDING, db_index=True
    )
    # Residuals of the associated object, observed (corrected values) minus predicted from its
    # element set: the angle between the lines of sight, and signed per measured value (azimuth
    # and RA wrapped to [-180, 180); where not measured, empty). Derived from the observation,
    # the sensor's biases and the element set: shown only to who may read all three.
    residual_angle_deg = models.FloatField(null=True, blank=True, help_text="Observed minus predicted")
    residual_range_km = models.FloatField(null=True, blank=True)
    residual_azimuth_deg = models.FloatField(null=True, blank=True)
    residual_elevation_deg = models.FloatField(null=True, blank=True)
    residual_range_rate_km_s = models.FloatField(null=True, blank=True)
    residual_ra_deg = models.FloatField(null=True, blank=True)
    residual_declination_deg = models.FloatField(null=True, blank=True)
    residual_element_set = models.ForeignKey(
        "catalog.ElementSet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The element set the residuals were computed from",
    )
    # How sure the association is: candidates that passed the gate, the chosen one's chi-square,
    # the runner-up and its chi-square; for a UCT, the nearest checked object if its set was stale.
    association_candidates = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many catalog objects passed the association gate"
    )
    association_score = models.FloatField(
        null=True, blank=True, help_text="Chi-square of the residuals of the associated object"
    )
    runner_up = models.ForeignKey(
        "catalog.SpaceObject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The next best object that passed the gate",
    )
    runner_up_score = models.FloatField(null=True, blank=True, help_text="Chi-square of the runner-up")
    near_stale_set = models.ForeignKey(
        "catalog.SpaceObject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="For a UCT: the nearest object checked, whose element set was stale",
    )
    # A lazy reference: tasking depends on catalog, never the other way round in code.
    tasking_request = models.ForeignKey(
        "tasking.TaskingRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
    )

    tier_at_ingest = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Integration level of the sensor when delivered; empty for US SSN"
    )
    missions_mask = models.PositiveIntegerField(default=0, help_text="Missions the record is fit for (bits)")
    ingested = models.DateTimeField(auto_now_add=True)

    objects = ObservationManager()  # type: ignore[misc]

    class Meta:
        db_table = "catalog_observation"
        ordering = ["-ob_time", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sensor", "client_id"],
                condition=~models.Q(client_id=""),
                name="catalog_obs_unique_sensor_client_id",
            )
        ]
        indexes = [
            models.Index(fields=["sensor", "ob_time"], name="catalog_obs_sensor_time"),
            models.Index(fields=["space_object", "ob_time"], name="catalog_obs_object_time"),
            # The explorer's default order, over every sensor.
            models.Index(fields=["-ob_time", "-id"], name="catalog_obs_newest"),
            # The explorer's residual sparklines: a sensor's newest residuals, read newest first
            # without passing the observations that have none.
            models.Index(
                fields=["sensor", "-ob_time", "-id"],
                name="catalog_obs_sensor_residuals",
                condition=models.Q(
                    association=AssociationStatus.ASSOCIATED, residual_angle_deg__isnull=False
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id} @ {self.ob_time:%Y-%m-%dT%H:%M:%S.%f}"

    @property
    def missions(self) -> list[str]:
        return missions_of(self.missions_mask)

    @property
    def is_uct(self) -> bool:
        return self.association == AssociationStatus.UCT
