"""Serializers of the tasking API: requests with their windows, targets and passes, operations."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agreements.models import Sensor
from catalog.models import SpaceObject
from portal.api.base import (
    MarkedModelSerializer,
    MarkingField,
    ReferencingSerializerMixin,
    VisibleRelatedField,
    VisibleSlugRelatedField,
)
from portal.conflicts import Untaken
from portal.models import SpOC
from tasking.choices import ObservationType, Priority, Purpose, RequestAction, Tier
from tasking.models import (
    CoalitionOperation,
    PredictedPass,
    RequestEvent,
    RequestMessage,
    RequestTarget,
    RequestWindow,
    SupportPlanEntry,
    TaskingRequest,
)
from tasking.services.filing import Filing


class WindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestWindow
        fields = ["start", "end"]


class TargetSerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    catalog_number = serializers.IntegerField(source="space_object.catalog_number")
    name = serializers.CharField(source="space_object.name")

    class Meta:
        model = RequestTarget
        fields = ["catalog_number", "name", "elements_epoch", "elements", "elements_copied_at"]


class PassSerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    sensor_number = serializers.IntegerField(source="sensor.number")
    catalog_number = serializers.IntegerField(source="target.space_object.catalog_number")

    class Meta:
        model = PredictedPass
        fields = [
            "sensor_number",
            "catalog_number",
            "rise",
            "culmination",
            "set",
            "max_elevation_deg",
            "rise_azimuth_deg",
            "set_azimuth_deg",
        ]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestEvent
        fields = ["at", "actor_name", "side", "action", "from_status", "to_status", "reason_code", "text"]


class TaskingRequestSerializer(MarkedModelSerializer):
    reference = serializers.CharField(read_only=True)
    spoc: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sensor_number = VisibleSlugRelatedField(source="sensor", slug_field="number", read_only=True)
    windows = WindowSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)
    passes = PassSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = TaskingRequest
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "title",
            "spoc",
            "sensor_number",
            "agreement",
            "operation",
            "priority",
            "purpose",
            "observation_type",
            "tracks_wanted",
            "observations_wanted",
            "minimum_tier",
            "instructions",
            "data_formats",
            "response_deadline",
            "staffing_warning",
            "submitted_at",
            "answered_at",
            "reject_reason",
            "failure_reason",
            "reason_text",
            "proposed_start",
            "proposed_end",
            "observations_counted",
            "tracks_counted",
            "delivery_latency_s",
            "windows",
            "targets",
            "passes",
            "actions",
            "marking",
        ]
        read_only_fields = fields

    def get_actions(self, obj: TaskingRequest) -> list[str]:
        # The view passes the rows of the requests it shows; a request without one offers none.
        row = self.context.get("rows", {}).get(obj.pk)
        return [str(a) for a in row.actions] if row is not None else []


class FilingSerializer(serializers.Serializer):
    """What a US operator sends to file a request (to `spoc`) or a direct tasking (of `sensor`)."""

    title = serializers.CharField(max_length=200)
    spoc = serializers.SlugRelatedField(slug_field="code", queryset=SpOC.objects.all(), required=False)
    sensor = VisibleSlugRelatedField(slug_field="number", queryset=Sensor.objects.all(), required=False)
    targets = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, help_text="Catalog numbers"
    )
    windows = WindowSerializer(many=True)
    priority = serializers.ChoiceField(choices=Priority.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    observation_type = serializers.ChoiceField(
        choices=ObservationType.choices, default=ObservationType.ANY_METRIC
    )
    tracks_wanted = serializers.IntegerField(min_value=1, default=1)
    observations_wanted = serializers.IntegerField(min_value=1, default=10)
    minimum_tier = serializers.ChoiceField(choices=Tier.choices, default=Tier.LEVEL_3)
    instructions = serializers.CharField(required=False, allow_blank=True, default="")
    operation = VisibleRelatedField(
        queryset=CoalitionOperation.objects.all(), required=False, allow_null=True
    )
    marking = MarkingField()
    submit = serializers.BooleanField(default=True)

    def validate_sensor(self, sensor: Sensor) -> Sensor:
        if not Sensor.objects.visible_to(self.context["request"].user).filter(pk=sensor.pk).exists():
            raise serializers.ValidationError("Unknown sensor.")
        return sensor

    def validate_targets(self, numbers: list[int]) -> list[SpaceObject]:
        user = self.context["request"].user
        found = {
            o.catalog_number: o
            for o in SpaceObject.objects.visible_to(user).filter(catalog_number__in=numbers)
        }
        missing = [str(n) for n in numbers if n not in found]
        if missing:
            raise serializers.ValidationError(f"Unknown catalog number(s): {', '.join(missing)}.")
        return [found[n] for n in numbers]

    def filing(self) -> Filing:
        data = self.validated_data
        return Filing(
            title=data["title"],
            targets=data["targets"],
            windows=[(w["start"], w["end"]) for w in data["windows"]],
            priority=data["priority"],
            purpose=data["purpose"],
            marking=data["marking"],
            spoc=data.get("spoc"),
            sensor=data.get("sensor"),
            observation_type=data["observation_type"],
            tracks_wanted=data["tracks_wanted"],
            observations_wanted=data["observations_wanted"],
            minimum_tier=int(data["minimum_tier"]),
            instructions=data["instructions"],
            operation=data.get("operation"),
        )


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=RequestAction.choices)
    reason_code = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_start = serializers.DateTimeField(required=False)
    proposed_end = serializers.DateTimeField(required=False)


class MessageSerializer(MarkedModelSerializer):
    class Meta:
        model = RequestMessage
        fields = ["id", "author_name", "author_spoc", "body", "created", "marking"]
        read_only_fields = ["author_name", "author_spoc", "created"]


class PlanEntrySerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    spoc: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    request_status = serializers.SerializerMethodField()

    class Meta:
        model = SupportPlanEntry
        fields = [
            "label",
            "spoc",
            "sensor",
            "space_object",
            "start",
            "end",
            "request",
            "request_status",
            "notes",
        ]

    def get_request_status(self, entry: SupportPlanEntry) -> str | None:
        readable = self.context.get("readable_requests", {})
        request = readable.get(entry.request_id)
        return request.status if request is not None else None


class OperationSerializer(MarkedModelSerializer):
    participants = serializers.SlugRelatedField(slug_field="code", many=True, queryset=SpOC.objects.all())
    plan = serializers.SerializerMethodField()
    requests = serializers.SerializerMethodField()

    class Meta:
        model = CoalitionOperation
        fields = [
            "id",
            "code",
            "name",
            "description",
            "status",
            "starts",
            "ends",
            "participants",
            "plan",
            "requests",
            "marking",
        ]
        extra_kwargs = {"code": {"validators": [Untaken(CoalitionOperation, "code")]}}

    def _readable(self, operation: CoalitionOperation) -> dict[int, TaskingRequest]:
        user = self.context["request"].user
        return {
            r.pk: r
            for r in TaskingRequest.objects.accessible_to(user)
            .filter(operation=operation)
            .only("pk", "status", "title", "classification_level", "noforn", "rel_mask")
        }

    def get_plan(self, operation: CoalitionOperation) -> list[dict[str, Any]]:
        context = {**self.context, "readable_requests": self._readable(operation)}
        return PlanEntrySerializer(operation.plan.select_related("spoc"), many=True, context=context).data  # type: ignore[return-value]

    def get_requests(self, operation: CoalitionOperation) -> list[dict[str, Any]]:
        return [
            {"id": r.pk, "reference": r.reference, "status": r.status}
            for r in self._readable(operation).values()
        ]
