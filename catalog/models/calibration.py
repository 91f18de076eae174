"""Calibration truth (precise ephemerides or a designated element set) and calibration runs."""

from __future__ import annotations

from django.db import models

from catalog.choices import CalibrationStatus, TruthKind
from portal.markings.models import MarkedModel


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


class CalibrationRun(MarkedModel):
    """A sensor's calibration over a period, holding what a UDL-style calibration record holds.

    Marked as the combination of the sensor's, the truths' and the observations' markings.
    ``results`` gives per measurement type ``bias``, ``bias_sigma``, ``noise`` (on the sky for
    azimuth and RA), ``rms_before``/``rms_after``, ``used`` and ``rejected``, in km, degrees and
    km/s; measured = true + bias, and a time bias tau means the measurement labelled t was
    taken at t + tau."""

    sensor = models.ForeignKey("agreements.Sensor", on_delete=models.CASCADE, related_name="calibration_runs")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=8, choices=CalibrationStatus.choices, default=CalibrationStatus.QUEUED, db_index=True
    )
    stage = models.CharField(max_length=60, blank=True, help_text="Progress while running")
    observations_loaded = models.PositiveIntegerField(default=0)
    iterations = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    reject_sigma = models.FloatField(default=3.0)
    reference_targets = models.JSONField(default=list, blank=True, help_text="Catalog numbers")
    observation_count = models.PositiveIntegerField(default=0)
    track_counts = models.JSONField(default=dict, blank=True, help_text="Tracks per measurement type")
    results = models.JSONField(default=dict, blank=True)
    time_bias_s = models.FloatField(null=True, blank=True)
    time_bias_sigma_s = models.FloatField(null=True, blank=True)
    not_observable = models.JSONField(default=list, blank=True)
    correlations = models.JSONField(default=dict, blank=True)
    outlier_count = models.PositiveIntegerField(default=0)
    truth_kinds = models.JSONField(default=list, blank=True)
    truth_age_days = models.FloatField(
        null=True, blank=True, help_text="Oldest truth: days from its import to the end of the period"
    )
    eop_table = models.CharField(max_length=200, blank=True)
    eop_last_measured_day = models.DateField(null=True, blank=True)
    verdict = models.JSONField(default=dict, blank=True, help_text="Per level: passed and why not")
    qualifies_for = models.JSONField(default=list, blank=True)
    samples = models.JSONField(default=dict, blank=True, help_text="Residuals for the charts")
    accepted = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sensor", "start", "end"], name="calibration_run_once_per_period")
        ]

    def __str__(self) -> str:
        return f"Calibration of {self.sensor_id} {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} ({self.status})"
