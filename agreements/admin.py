"""Django admin for the partnership records, through the same access rule as every page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from agreements.models import (
    AGREEMENT_EDITABLE_FIELDS,
    Agreement,
    AgreementHistory,
    DataPlanEntry,
    EvaluationHistory,
    Sensor,
    SensorBias,
    SensorOutage,
    TierDefinition,
    TierEvaluation,
)
from agreements.models.agreements import sensor_problems
from portal.admin import MARKING_COLUMNS, MarkedModelAdmin, ReadableInline


class ParentVisibleInline(ReadableInline):
    pass


class OutageInline(ParentVisibleInline):
    model = SensorOutage
    extra = 0


@admin.register(Sensor)
class SensorAdmin(MarkedModelAdmin):
    list_display = ("number", "name", "spoc", "sensor_type", "status", "is_us_ssn", "integration_level")
    list_filter = ("sensor_type", "status", "is_us_ssn", "integration_level", "spoc")
    search_fields = ("name", "number")
    inlines = [OutageInline]


@admin.register(SensorBias)
class SensorBiasAdmin(MarkedModelAdmin):
    list_display = ("sensor", "measurement_type", "bias", "noise_sigma", "effective_date", "source")


class AgreementAdminForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [*AGREEMENT_EDITABLE_FIELDS, *MARKING_COLUMNS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        partner = data.get("partner")
        problem = sensor_problems(
            data.get("kind", ""), partner.pk if partner else None, data.get("sensors") or []
        )
        if problem:
            self.add_error("sensors", problem)
        elif "sensors" in data:
            self.instance.expect_sensors(data["sensors"])
        return data


class DataPlanInline(ParentVisibleInline):
    model = DataPlanEntry
    extra = 0


class HistoryInline(admin.TabularInline):
    model = AgreementHistory
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor_name", "kind", "changes", "from_status", "to_status", "reason")
    exclude = ("actor",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(MarkedModelAdmin):
    form = AgreementAdminForm
    list_display = ("title", "kind", "partner", "status", "effective_from", "expires_on")
    list_filter = ("kind", "status", "partner")
    readonly_fields = ("status",)  # changed only through transitions
    filter_horizontal = ("sensors",)
    inlines = [DataPlanInline, HistoryInline]


@admin.register(TierDefinition)
class TierDefinitionAdmin(admin.ModelAdmin):
    list_display = ("level", "name", "admits_observation_ingest", "max_delivery_latency")


class EvaluationHistoryInline(admin.TabularInline):
    model = EvaluationHistory
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor_name", "from_status", "to_status", "reason")
    exclude = ("actor",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TierEvaluation)
class TierEvaluationAdmin(MarkedModelAdmin):
    list_display = ("sensor", "candidate_level", "started_on", "expected_end", "status")
    list_filter = ("status", "candidate_level")
    # Decisions go through promote / decline so that the sensor's level and history follow.
    readonly_fields = ("status", "decided_by", "decided_at", "reason")
    inlines = [EvaluationHistoryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("sensor")
