"""Sensors of the coalition: where they are, what they measure, what they can see, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from numpy.typing import ArrayLike, NDArray

from agreements.choices import (
    AVAILABLE_STATUSES,
    MEASUREMENT_UNITS,
    RADAR_TYPES,
    MeasurementType,
    SensorStatus,
    SensorType,
)
from portal.errors import TAKEN_MESSAGE
from portal.markings.models import MarkedModel
from portal.models import Role
from portal.ownership import OwnershipRule

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]
INTEGRATION_LEVEL_CHOICES = [(level, f"Level {level}") for level in range(1, 5)]
OPTICAL_CANNOT_MEASURE = frozenset({MeasurementType.RANGE, MeasurementType.RANGE_RATE})


def validate_measurement_types(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("List at least one measurement type.")
    unknown = [item for item in value if item not in MeasurementType.values]
    if unknown:
        raise ValidationError(
            f"Unknown measurement type(s): {', '.join(map(str, unknown))}; "
            f"expected some of {', '.join(MeasurementType.values)}."
        )
    if len(set(value)) != len(value):
        raise ValidationError("A measurement type is listed twice.")


def in_field_of_regard(
    az_deg: ArrayLike,
    el_deg: ArrayLike,
    range_km: ArrayLike | None = None,
    *,
    min_elevation_deg: float,
    azimuth_min_deg: float | None,
    azimuth_max_deg: float | None,
    max_range_km: float | None,
) -> NDArray[np.bool_]:
    """Element-wise test of topocentric directions against a field of regard.

    Azimuth limits run clockwise from `azimuth_min_deg` to `azimuth_max_deg`, so 300..60 is the
    sector through north. A NaN (or None) range means unknown and does not exclude.
    """
    az = np.mod(np.asarray(az_deg, dtype=float), 360.0)
    el = np.asarray(el_deg, dtype=float)
    seen = (el >= min_elevation_deg) & (el <= 90.0)
    if azimuth_min_deg is not None and azimuth_max_deg is not None:
        low, high = azimuth_min_deg % 360.0, azimuth_max_deg % 360.0
        seen &= ((az >= low) & (az <= high)) if low <= high else ((az >= low) | (az <= high))
    if range_km is not None and max_range_km is not None:
        rng = np.asarray(range_km, dtype=float)
        seen &= np.isnan(rng) | (rng <= max_range_km)
    return np.asarray(seen, dtype=bool)


class Sensor(MarkedModel):
    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        "spoc", managed_by=frozenset({Role.AGREEMENT_ADMIN}), why="registered by its SpOC, managed by admins"
    )

    spoc = models.ForeignKey("portal.SpOC", on_delete=models.PROTECT, related_name="sensors")
    name = models.CharField(max_length=120)
    number = models.PositiveIntegerField(
        unique=True,
        validators=[MinValueValidator(1)],
        help_text="Sensor number, as SSN sensors are numbered",
        error_messages={"unique": TAKEN_MESSAGE},
    )
    sensor_type = models.CharField(max_length=20, choices=SensorType.choices)
    latitude_deg = models.FloatField(
        "latitude (deg)", validators=[MinValueValidator(-90.0), MaxValueValidator(90.0)]
    )
    longitude_deg = models.FloatField(
        "longitude (deg)", validators=[MinValueValidator(-180.0), MaxValueValidator(180.0)]
    )
    altitude_km = models.FloatField(
        "altitude (km)", default=0.0, validators=[MinValueValidator(-0.5), MaxValueValidator(10.0)]
    )
    measurement_types = models.JSONField(
        default=list,
        validators=[validate_measurement_types],
        help_text="Some of: " + ", ".join(MeasurementType.values),
    )
    min_elevation_deg = models.FloatField(
        "minimum elevation (deg)", default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(89.0)]
    )
    azimuth_min_deg = models.FloatField(
        "azimuth from (deg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(360.0)],
        help_text="Clockwise sector start; empty with 'azimuth to' for a full circle",
    )
    azimuth_max_deg = models.FloatField(
        "azimuth to (deg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(360.0)],
    )
    max_range_km = models.FloatField(
        "maximum range (km)", null=True, blank=True, validators=[MinValueValidator(1.0)]
    )
    limiting_magnitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-5.0), MaxValueValidator(30.0)]
    )
    tracks_per_hour = models.PositiveIntegerField(default=0, help_text="Capacity")
    status = models.CharField(
        max_length=12, choices=SensorStatus.choices, default=SensorStatus.OPERATIONAL, db_index=True
    )
    is_us_ssn = models.BooleanField("US SSN sensor", default=False, db_index=True)
    integration_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=INTEGRATION_LEVEL_CHOICES,
        validators=LEVEL_VALIDATORS,
        help_text="Tier of a partner sensor; empty for US SSN sensors and sensors not yet integrated",
    )
    # What the delivered data already account for, stated by the agreement admin; calibration
    # predictions add a term only where the data contain it.
    refraction_corrected = models.BooleanField(
        "refraction already corrected",
        default=True,
        help_text="Angles (and radar range) are geometric: tropospheric refraction is taken out",
    )
    star_referenced = models.BooleanField(
        "RA/Dec star-referenced",
        default=False,
        help_text="Optical only: RA/Dec reduced against catalog stars (astrometric, no annual aberration)",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["spoc__code", "number"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.azimuth_min_deg is None) != (self.azimuth_max_deg is None):
            errors["azimuth_max_deg"] = "Give both azimuth limits, or neither for a full circle."
        elif (
            self.azimuth_min_deg is not None
            and self.azimuth_min_deg % 360 == (self.azimuth_max_deg or 0) % 360
        ):
            errors["azimuth_max_deg"] = (
                "Equal azimuth limits are ambiguous; leave both empty for a full circle."
            )
        if self.sensor_type in RADAR_TYPES and self.max_range_km is None:
            errors["max_range_km"] = "A radar needs its maximum range."
        if self.sensor_type == SensorType.OPTICAL_TELESCOPE:
            if self.limiting_magnitude is None:
                errors["limiting_magnitude"] = "An optical telescope needs its limiting magnitude."
            if isinstance(self.measurement_types, list) and OPTICAL_CANNOT_MEASURE & set(
                self.measurement_types
            ):
                errors["measurement_types"] = "An optical telescope does not measure range or range-rate."
        if self.star_referenced and self.sensor_type != SensorType.OPTICAL_TELESCOPE:
            errors["star_referenced"] = "Only an optical telescope's RA/Dec can be star-referenced."
        if self.is_us_ssn:
            if self.integration_level is not None:
                errors["integration_level"] = "US SSN sensors have no partner integration level."
            if self.spoc_id is not None and not self.spoc.is_us:
                errors["is_us_ssn"] = "Only a US SpOC's sensor can be a US SSN sensor."
        if errors:
            raise ValidationError(errors)

    # -- what other apps ask ------------------------------------------------------------------

    @property
    def site(self) -> tuple[float, float, float]:
        """Geodetic (latitude deg, longitude deg, altitude km)."""
        return (self.latitude_deg, self.longitude_deg, self.altitude_km)

    def field_of_regard_mask(
        self, az_deg: ArrayLike, el_deg: ArrayLike, range_km: ArrayLike | None = None
    ) -> NDArray[np.bool_]:
        return in_field_of_regard(
            az_deg,
            el_deg,
            range_km,
            min_elevation_deg=self.min_elevation_deg,
            azimuth_min_deg=self.azimuth_min_deg,
            azimuth_max_deg=self.azimuth_max_deg,
            max_range_km=self.max_range_km,
        )

    def can_see(self, az_deg: float, el_deg: float, range_km: float | None = None) -> bool:
        return bool(self.field_of_regard_mask(az_deg, el_deg, range_km))

    def is_available(self, at: dt.datetime) -> bool:
        """Whether the sensor can take a task at `at`: its status now, and no outage then.

        Uses prefetched outages when present (``prefetch_related("outages")``).
        """
        if self.status not in AVAILABLE_STATUSES:
            return False
        return not any(outage.covers(at) for outage in self.outages.all())

    def current_biases(self, user: Any = None) -> dict[str, SensorBias]:
        """The latest entered bias per measurement type (only those `user` may see, if given)."""
        biases = SensorBias.objects.filter(sensor=self)
        if user is not None:
            biases = biases.visible_to(user)
        latest: dict[str, SensorBias] = {}
        for bias in biases.order_by("-effective_date", "-id"):
            latest.setdefault(bias.measurement_type, bias)
        return latest

    @property
    def field_of_regard_text(self) -> str:
        parts = [f"el ≥ {self.min_elevation_deg:g}°"]
        if self.azimuth_min_deg is None:
            parts.append("az 0-360°")
        else:
            parts.append(f"az {self.azimuth_min_deg:g}° to {self.azimuth_max_deg:g}° clockwise")
        if self.max_range_km is not None:
            parts.append(f"range ≤ {self.max_range_km:,.0f} km")
        if self.limiting_magnitude is not None:
            parts.append(f"mag ≤ {self.limiting_magnitude:g}")
        return ", ".join(parts)


class SensorOutage(models.Model):
    # Read through its sensor: see portal.references.
    read_through = "sensor"
    """A period a sensor cannot take tasks: planned maintenance or a failure. Kept as history."""

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="outages")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True, help_text="Empty while the outage lasts")
    reason = models.CharField(max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.sensor_id}: {self.start:%Y-%m-%d} {self.reason}"

    def clean(self) -> None:
        if self.end is not None and self.start is not None and self.end <= self.start:
            raise ValidationError({"end": "An outage ends after it starts."})

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


class SensorBias(MarkedModel):
    """A bias and noise figure entered by hand, with its date and source, until calibration runs."""

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="biases")
    measurement_type = models.CharField(max_length=20, choices=MeasurementType.choices)
    bias = models.FloatField()
    noise_sigma = models.FloatField(validators=[MinValueValidator(0.0)])
    effective_date = models.DateField()
    source = models.CharField(max_length=300, help_text="Where the figures come from")
    component_biases = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Bias per measured value where the two of a pair differ (e.g. azimuth_deg and "
            "elevation_deg), as an accepted calibration run estimates them; each overrides `bias`"
        ),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sensor", "measurement_type", "-effective_date", "-id"]
        verbose_name_plural = "sensor biases"

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.measurement_type} {self.bias:+g} ± {self.noise_sigma:g} {self.units}"

    @property
    def units(self) -> str:
        return MEASUREMENT_UNITS.get(self.measurement_type, "")

    def bias_of(self, field: str) -> float:
        """The bias removed from one measured value (``azimuth_deg``, ``range_km``, ...)."""
        value = (self.component_biases or {}).get(field)
        return float(self.bias if value is None else value)

    def clean(self) -> None:
        if self.sensor_id is not None and self.measurement_type not in (self.sensor.measurement_types or []):
            raise ValidationError({"measurement_type": "The sensor does not produce this measurement type."})
