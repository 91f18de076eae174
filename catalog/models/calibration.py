"""Calibration truth (precise ephemerides or a designated element set) and calibration runs."""

from __future__ import annotations

from django.db import models

from portal.markings.models import MarkedModel


class TruthKind(models.TextChoices):
    EPHEMERIS = "ephemeris", "Precise ephemeris (CCSDS OEM)"
    ELEMENT_SET = "element_set", "Designated element set (SGP4, coarse)"


class CalibrationTruth(MarkedModel):
    """The truth orbit of a calibration satellite over a span.

    An ephemeris keeps the OEM text as imported (read again when used, so a run can be
    reproduced); an element set truth names the set propagated with SGP4 and is coarse: SGP4
    is good to about a kilometre, so it suits a Level 3-4 calibration at best."""

    space_object = models.ForeignKey(
        "catalog.SpaceObject", on_delete=models.CASCADE, related_name="calibration_truths"
    )
    kind = models.CharField(max_length=12, choices=TruthKind.choices)
    name = models.CharField(max_length=200, help_text="File or element set it comes from")
    content_hash = models.CharField(max_length=64, unique=True)
    text = models.TextField(blank=True, help_text="The OEM as imported")
    element_set = models.ForeignKey(
        "catalog.ElementSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frames = models.CharField(max_length=60, blank=True, help_text="REF_FRAME of each segment")
    time_systems = models.CharField(max_length=60, blank=True)
    start = models.DateTimeField(db_index=True)
    stop = models.DateTimeField(db_index=True)
    state_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["space_object_id", "-start"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} ({self.start:%Y-%m-%d} to {self.stop:%Y-%m-%d})"

    @property
    def is_coarse(self) -> bool:
        return self.kind == TruthKind.ELEMENT_SET
