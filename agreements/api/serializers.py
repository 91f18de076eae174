"""Serializers of the agreements API: sensors, biases, outages, agreements and their plans, tiers."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from agreements.choices import DataFormat, MeasurementType, Mission, Priority, SensorStatus
from agreements.models import (
    AGREEMENT_EDITABLE_FIELDS,
    DATA_PLAN_FIELDS,
    Agreement,
    AgreementHistory,
    DataPlanEntry,
    Sensor,
    SensorBias,
    SensorOutage,
    TierDefinition,
    TierEvaluation,
)
from agreements.models.agreements import sensor_problems
from portal import ownership
from portal.api.base import MarkedModelSerializer, ReferencingSerializerMixin
from portal.conflicts import Untaken


def shown_beside(fields: Iterable[str], extras: Mapping[str, tuple[str, ...]]) -> list[str]:
    """`fields` in their order, each followed by the fields `extras` shows right after it."""
    return [shown for name in fields for shown in (name, *extras.get(name, ()))]


class ModelRulesMixin:
    """Runs the model's own validation on the would-be record, so that a rule it refuses is a 400
    naming the field rather than an error at save time."""

    model_clean_skip: tuple[str, ...] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)  # type: ignore[misc]
        instance: Any = getattr(self, "instance", None)
        model: Any = self.Meta.model  # type: ignore[attr-defined]
        candidate = copy.copy(instance) if instance is not None else model()
        many = {field.name for field in model._meta.many_to_many}
        for key, value in attrs.items():
            if key in many:
                continue
            if key == "marking":
                candidate.marking = value
            else:
                setattr(candidate, key, value)
        try:
            candidate.full_clean(exclude=[*many, *self.model_clean_skip])
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise serializers.ValidationError(detail) from exc
        return attrs


class SensorOutageSerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = SensorOutage
        fields = ["id", "start", "end", "reason", "created"]
        read_only_fields = ["created"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("end") and attrs.get("start") and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "An outage ends after it starts."})
        return attrs


class SensorSerializer(ModelRulesMixin, MarkedModelSerializer):
    spoc_code = serializers.CharField(source="spoc.code", read_only=True)
    nation = serializers.CharField(source="spoc.nation_id", read_only=True)
    # Plain strings in the schema (the model validates the values) so that shared choice sets
    # keep one enum name across the API.
    measurement_types = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=False,
        help_text="Some of: " + ", ".join(MeasurementType.values),
    )
    status = serializers.CharField(required=False, help_text="One of: " + ", ".join(SensorStatus.values))
    integration_level = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Sensor
        fields = [
            "id",
            "number",
            "name",
            "spoc",
            "spoc_code",
            "nation",
            "sensor_type",
            "latitude_deg",
            "longitude_deg",
            "altitude_km",
            "measurement_types",
            "min_elevation_deg",
            "azimuth_min_deg",
            "azimuth_max_deg",
            "max_range_km",
            "limiting_magnitude",
            "tracks_per_hour",
            "status",
            "is_us_ssn",
            "integration_level",
            "created",
            "updated",
            "marking",
        ]
        read_only_fields = ["integration_level", "created", "updated"]
        # A number a hidden sensor holds is refused as any taken number is (portal.conflicts).
        extra_kwargs = {"spoc": {"required": False}, "number": {"validators": [Untaken(Sensor, "number")]}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None or "spoc" in attrs:
            request = self.context.get("request")
            attrs["spoc"] = ownership.authoring_spoc(
                getattr(request, "user", None), Sensor, attrs.get("spoc")
            )
        return super().validate(attrs)


class SensorBiasSerializer(ModelRulesMixin, MarkedModelSerializer):
    units = serializers.CharField(read_only=True)
    entered_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = SensorBias
        fields = [
            "id",
            "sensor",
            "measurement_type",
            "bias",
            "component_biases",
            "noise_sigma",
            "units",
            "effective_date",
            "source",
            "entered_by",
            "created",
            "marking",
        ]
        read_only_fields = ["created", "component_biases"]


class DataPlanEntrySerializer(ModelRulesMixin, ReferencingSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = DataPlanEntry
        fields = ["id", "agreement", *DATA_PLAN_FIELDS]


class NestedPlanSerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = DataPlanEntry
        fields = ["id", *DATA_PLAN_FIELDS]


class AgreementSerializer(ModelRulesMixin, MarkedModelSerializer):
    partner_code = serializers.CharField(source="partner.code", read_only=True)
    data_formats = serializers.ListField(
        child=serializers.CharField(), help_text="Some of: " + ", ".join(DataFormat.values)
    )
    status = serializers.CharField(read_only=True)
    communication_mode = serializers.CharField(required=False, allow_blank=True, help_text="text or voice")
    data_plan = NestedPlanSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            # The partner's code beside the partner, the status (read only) before the dates.
            *shown_beside(AGREEMENT_EDITABLE_FIELDS, {"partner": ("partner_code",), "sensors": ("status",)}),
            "data_plan",
            "created",
            "updated",
            "marking",
        ]
        read_only_fields = ["status", "created", "updated"]
        extra_kwargs = {"sensors": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Agreement | None = self.instance
        kind = attrs.get("kind", instance.kind if instance else "")
        partner = attrs.get("partner", instance.partner if instance else None)
        current = list(instance.sensors.all()) if instance else []
        sensors = attrs.get("sensors", current)
        problem = sensor_problems(kind, partner.pk if partner else None, sensors)
        if problem:
            raise serializers.ValidationError({"sensors": problem})
        return super().validate(attrs)

    def create(self, validated_data: dict[str, Any]) -> Agreement:
        sensors = validated_data.pop("sensors", [])
        agreement = super().create(validated_data)
        agreement.sensors.set(sensors)
        return agreement


class AgreementTransitionSerializer(serializers.Serializer):
    to = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    calibration_runs = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Ids of the calibration runs a promotion cites (needed where the level has criteria)",
    )


class AgreementHistorySerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = AgreementHistory
        fields = ["id", "at", "actor_name", "kind", "changes", "from_status", "to_status", "reason"]


class TierDefinitionSerializer(ModelRulesMixin, serializers.ModelSerializer):
    level = serializers.IntegerField(read_only=True)
    required_formats = serializers.ListField(
        child=serializers.CharField(), help_text="Some of: " + ", ".join(DataFormat.values)
    )
    missions = serializers.ListField(
        child=serializers.CharField(), help_text="Some of: " + ", ".join(Mission.values)
    )

    class Meta:
        model = TierDefinition
        fields = [
            "level",
            "name",
            "description",
            "calibration_criteria",
            "max_delivery_latency",
            "required_formats",
            "required_fields",
            "admits_observation_ingest",
            "missions",
        ]


class TierEvaluationSerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    marking = serializers.SerializerMethodField()
    days_left = serializers.SerializerMethodField()
    candidate_level = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = TierEvaluation
        fields = [
            "id",
            "sensor",
            "candidate_level",
            "started_on",
            "expected_end",
            "days_left",
            "status",
            "decided_at",
            "reason",
            "marking",
        ]
        read_only_fields = ["expected_end", "status", "decided_at", "reason"]

    def get_marking(self, evaluation: TierEvaluation) -> str:
        return evaluation.marking.banner

    def get_days_left(self, evaluation: TierEvaluation) -> int:
        return evaluation.days_left()


class CoverageQuerySerializer(serializers.Serializer):
    at = serializers.DateTimeField(required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.ROUTINE)
