"""Filters shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import QuerySet

from agreements.choices import (
    AgreementKind,
    AgreementStatus,
    EvaluationStatus,
    MeasurementType,
    SensorStatus,
    SensorType,
)
from agreements.models import Agreement, DataPlanEntry, Sensor, SensorBias, TierEvaluation
from agreements.models.sensors import INTEGRATION_LEVEL_CHOICES
from portal.filters import PortalFilterSet
from portal.models import Nation, SpOC


class SsnOrPartnerSelect(forms.NullBooleanSelect):
    """The yes/no/unknown choice, said the way an operator asks it."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "All sensors"), ("true", "US SSN only"), ("false", "Partner only")]


class SensorFilter(PortalFilterSet):
    spoc = filters.ModelChoiceFilter(queryset=SpOC.objects.all(), label="SpOC")
    nation = filters.ModelChoiceFilter(
        field_name="spoc__nation", queryset=Nation.objects.all(), label="Nation"
    )
    sensor_type = filters.ChoiceFilter(choices=SensorType.choices, label="Type")
    status = filters.ChoiceFilter(choices=SensorStatus.choices)
    integration_level = filters.ChoiceFilter(choices=INTEGRATION_LEVEL_CHOICES, label="Level")
    is_us_ssn = filters.BooleanFilter(label="US SSN", widget=SsnOrPartnerSelect)

    class Meta:
        model = Sensor
        fields = ["spoc", "nation", "sensor_type", "status", "integration_level", "is_us_ssn"]


class AgreementFilter(PortalFilterSet):
    partner = filters.ModelChoiceFilter(queryset=SpOC.objects.all(), label="Partner")
    nation = filters.ModelChoiceFilter(
        field_name="partner__nation", queryset=Nation.objects.all(), label="Nation"
    )
    kind = filters.ChoiceFilter(choices=AgreementKind.choices)
    status = filters.ChoiceFilter(choices=AgreementStatus.choices)
    active_at = filters.IsoDateTimeFilter(method="filter_active_at", label="In force at")

    class Meta:
        model = Agreement
        fields = ["partner", "nation", "kind", "status", "active_at"]

    def filter_active_at(self, queryset: QuerySet[Agreement], name: str, value: Any) -> QuerySet[Agreement]:
        return queryset.active_at(value)  # type: ignore[attr-defined]


class EvaluationFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=EvaluationStatus.choices)
    sensor = filters.ModelChoiceFilter(queryset=Sensor.objects.all())

    class Meta:
        model = TierEvaluation
        fields = ["status", "sensor", "candidate_level"]


class SensorBiasFilter(PortalFilterSet):
    sensor = filters.ModelChoiceFilter(queryset=Sensor.objects.all())
    measurement_type = filters.ChoiceFilter(choices=MeasurementType.choices)

    class Meta:
        model = SensorBias
        fields = ["sensor", "measurement_type"]


class DataPlanEntryFilter(PortalFilterSet):
    agreement = filters.ModelChoiceFilter(queryset=Agreement.objects.all())
    sensor = filters.ModelChoiceFilter(queryset=Sensor.objects.all())

    class Meta:
        model = DataPlanEntry
        fields = ["agreement", "sensor"]
