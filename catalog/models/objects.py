"""Space objects (SATCAT fields) and their element sets (CCSDS OMM / GP fields)."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from catalog.astro.propagation import MeanElements
from catalog.choices import ElsetSource, ObjectType, Regime
from portal.markings.models import MarkedModel, MarkedQuerySet
from portal.ownership import OwnershipRule

MAX_CATALOG_NUMBER = 999_999_999


class CatalogCounter(models.Model):
    """The change sequence that partner `since` cursors follow.

    Writers lock the row for the length of their transaction, so sequence numbers become
    visible in the order they were handed out and a cursor never skips a late commit.
    """

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class SpaceObject(MarkedModel):
    catalog_number = models.PositiveIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_CATALOG_NUMBER)]
    )
    intl_designator = models.CharField("international designator", max_length=12, blank=True, db_index=True)
    name = models.CharField(max_length=80, blank=True, db_index=True)
    object_type = models.CharField(
        max_length=12, choices=ObjectType.choices, default=ObjectType.UNKNOWN, db_index=True
    )
    owner_country = models.CharField(max_length=8, blank=True, db_index=True)
    launch_date = models.DateField(null=True, blank=True)
    launch_site = models.CharField(max_length=8, blank=True)
    decay_date = models.DateField(null=True, blank=True)
    rcs_size = models.CharField("RCS size", max_length=8, blank=True)
    # Latest epoch among the element sets that everyone who may see the object may also see,
    # so showing it next to the object never reveals more than the object itself.
    current_elset = models.ForeignKey(
        "catalog.ElementSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seq = models.BigIntegerField(unique=True, help_text="change sequence for `since` cursors")
    calibration_satellite = models.BooleanField(
        default=False,
        db_default=False,
        db_index=True,
        help_text="Has a truth orbit that sensors are calibrated against",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["catalog_number"]

    def __str__(self) -> str:
        return f"{self.catalog_number} {self.name}".strip()


class ElementSetQuerySet(MarkedQuerySet):
    def visible_to(self, user: Any) -> Self:
        # An element set is shown only with its object: a set marked lower than a restricted
        # object must not reveal that object's catalog number.
        return super().visible_to(user).filter(space_object__in=SpaceObject.objects.visible_to(user))


class ElementSet(MarkedModel):
    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        "source_spoc", owner_may_edit=False, why="a submitted element set is history"
    )

    space_object = models.ForeignKey(SpaceObject, on_delete=models.CASCADE, related_name="element_sets")
    epoch = models.DateTimeField(db_index=True)
    mean_motion = models.FloatField(help_text="rev/day")
    eccentricity = models.FloatField()
    inclination = models.FloatField(help_text="deg")
    ra_of_asc_node = models.FloatField("RA of ascending node", help_text="deg")
    arg_of_pericenter = models.FloatField(help_text="deg")
    mean_anomaly = models.FloatField(help_text="deg")
    bstar = models.FloatField("B*", help_text="1/earth radii")
    mean_motion_dot = models.FloatField(help_text="rev/day², as printed in a TLE")
    mean_motion_ddot = models.FloatField(help_text="rev/day³, as printed in a TLE")
    element_set_no = models.PositiveIntegerField(default=999)
    rev_at_epoch = models.PositiveIntegerField(default=0)
    ephemeris_type = models.PositiveSmallIntegerField(default=0)
    classification_type = models.CharField(max_length=1, default="U")

    source = models.CharField(max_length=10, choices=ElsetSource.choices, db_index=True)
    source_spoc = models.ForeignKey(
        "portal.SpOC", null=True, blank=True, on_delete=models.PROTECT, related_name="element_sets"
    )
    # "upstream", "computed" or "spoc:<id>": one non-null column for the dedup constraint.
    source_key = models.CharField(max_length=24)
    sync_run = models.ForeignKey(
        "catalog.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="element_sets"
    )
    source_file = models.CharField(max_length=255, blank=True)
    source_record = models.PositiveIntegerField(null=True, blank=True)

    semi_major_axis_km = models.FloatField(null=True)
    period_min = models.FloatField(null=True, db_index=True)
    apogee_km = models.FloatField(null=True)
    perigee_km = models.FloatField(null=True)
    regime = models.CharField(max_length=7, choices=Regime.choices, db_index=True)

    content_hash = models.CharField(max_length=32)
    seq = models.BigIntegerField(unique=True, help_text="change sequence for `since` cursors")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = models.Manager.from_queryset(ElementSetQuerySet)()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["-epoch", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["space_object", "epoch", "source_key"],
                name="catalog_elset_unique_object_epoch_source",
            )
        ]
        indexes = [models.Index(fields=["space_object", "-epoch"], name="catalog_elset_history")]

    def __str__(self) -> str:
        return f"{self.space_object_id} @ {self.epoch:%Y-%m-%dT%H:%M:%S} ({self.source_key})"

    def mean_elements(self, catalog_number: int = 0) -> MeanElements:
        """The SGP4 input of this set."""
        return MeanElements(
            catalog_number=catalog_number,
            epoch=self.epoch,
            mean_motion_rev_per_day=self.mean_motion,
            eccentricity=self.eccentricity,
            inclination_deg=self.inclination,
            raan_deg=self.ra_of_asc_node,
            arg_perigee_deg=self.arg_of_pericenter,
            mean_anomaly_deg=self.mean_anomaly,
            bstar=self.bstar,
            ndot=self.mean_motion_dot,
            nddot=self.mean_motion_ddot,
        )
