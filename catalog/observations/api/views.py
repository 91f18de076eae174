"""Observation API: bulk delivery (JSON array or file), batches, and the filtered list.

Delivery answers 201 when every record was stored (or already was), 207 when some were
rejected (the body lists them with record number and field), 400 when nothing could be stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from catalog.formats.observations import FORMATS
from catalog.models import SpaceObject
from catalog.observations.choices import BatchStatus
from catalog.observations.filters import ObservationFilter
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.services.answers import answered_requests
from catalog.observations.services.batches import batches_visible_to
from catalog.observations.services.corrections import withhold_corrections
from catalog.observations.services.ingest import INTERRUPTED, IngestResult, ingest, receive
from catalog.observations.services.validation import (
    DeliveryRefused,
    check_tasking_request,
    parse_requested_marking,
)
from portal.api.base import (
    AuditedAPIMixin,
    MarkedReadOnlyViewSet,
    MarkingField,
    RecordsReadsMixin,
    ReferencesListSerializer,
    ReferencingSerializerMixin,
    VisibleSlugRelatedField,
)
from portal.errors import NotAllowed


class RawBodyParser(BaseParser):
    """Leaves the body untouched: the delivery is archived byte for byte before it is read."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return None


def readable_request_ids(user: Any, request_ids: set[int]) -> set[int]:
    """Of `request_ids`, the tasking requests `user` may open (one query, as tasking answers it)."""
    return answered_requests().readable(user, request_ids)


class ObservationListSerializer(ReferencesListSerializer):
    def to_representation(self, data: Any) -> Any:
        observations = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        ids = {obs.tasking_request_id for obs in observations if obs.tasking_request_id is not None}
        self.child._readable_requests = readable_request_ids(getattr(request, "user", None), ids)  # type: ignore[union-attr]
        withhold_corrections(observations, getattr(request, "user", None))
        return super().to_representation(observations)


class ObservationSerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    tasking_request = serializers.SerializerMethodField()
    sensor = VisibleSlugRelatedField(slug_field="number", read_only=True)
    object = serializers.SerializerMethodField()
    missions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Observation
        fields = [
            "id",
            "sensor",
            "ob_time",
            "client_id",
            "data_mode",
            "track_id",
            "reported_sat_no",
            "range_km",
            "range_unc_km",
            "azimuth_deg",
            "azimuth_unc_deg",
            "elevation_deg",
            "elevation_unc_deg",
            "range_rate_km_s",
            "range_rate_unc_km_s",
            "ra_deg",
            "ra_unc_deg",
            "declination_deg",
            "declination_unc_deg",
            "frame",
            "magnitude",
            "rcs_m2",
            "snr_db",
            "range_km_corr",
            "azimuth_deg_corr",
            "elevation_deg_corr",
            "range_rate_km_s_corr",
            "ra_deg_corr",
            "declination_deg_corr",
            "association",
            "object",
            "residual_angle_deg",
            "residual_range_km",
            "residual_azimuth_deg",
            "residual_elevation_deg",
            "residual_range_rate_km_s",
            "residual_ra_deg",
            "residual_declination_deg",
            "tasking_request",
            "batch",
            "tier_at_ingest",
            "missions",
            "marking",
        ]
        read_only_fields = fields
        list_serializer_class = ObservationListSerializer

    def to_representation(self, instance: Observation) -> dict[str, Any]:
        if not getattr(instance, "_corrections_checked", False):
            request = self.context.get("request")
            withhold_corrections([instance], getattr(request, "user", None))
        return super().to_representation(instance)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_tasking_request(self, obs: Observation) -> int | None:
        # The id only when the reader may open that request; a hidden one reads as none.
        if obs.tasking_request_id is None:
            return None
        readable: set[int] | None = getattr(self, "_readable_requests", None)
        if readable is None:
            request = self.context.get("request")
            readable = readable_request_ids(getattr(request, "user", None), {obs.tasking_request_id})
        return obs.tasking_request_id if obs.tasking_request_id in readable else None

    def get_object(self, obs: Observation) -> int | None:
        # The catalog number only when the reader may see the object itself.
        visible: set[int] = self.context.get("visible_objects", set())
        if obs.space_object_id is None or obs.space_object_id not in visible:
            return None
        return obs.space_object.catalog_number if obs.space_object else None


class IngestBatchSerializer(RecordsReadsMixin, serializers.ModelSerializer):
    spoc: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    marking = MarkingField(read_only=True)

    class Meta:
        model = IngestBatch
        fields = [
            "id",
            "marking",
            "delivered_by_name",
            "spoc",
            "received",
            "finished",
            "channel",
            "data_format",
            "filename",
            "payload_sha256",
            "payload_bytes",
            "sensor_number",
            "requested_marking",
            "status",
            "accepted",
            "rejected",
            "duplicates",
            "error_count",
            "errors",
            "message",
        ]


def delivery_response(result: IngestResult) -> Response:
    batch = result.batch
    if batch.status == BatchStatus.ACCEPTED:
        code = 201
    elif batch.status == BatchStatus.PARTIAL:
        code = 207
    else:
        code = 400
    return Response(result.as_dict(), status=code)


class _WithoutFormatOverride:
    def __getattr__(self, name: str) -> Any:
        return None if name == "URL_FORMAT_OVERRIDE" else getattr(api_settings, name)


class FormatIsAParameter(DefaultContentNegotiation):
    """Content negotiation by Accept only: `?format=` names the delivered payload's format
    (udl-json, csv, tdm-kvn, tdm-xml) on the observation API, not DRF's renderer switch."""

    settings = _WithoutFormatOverride()  # type: ignore[assignment]


class DeliveryParameters(serializers.Serializer):
    """The delivery's parameters, all checked before anything is written."""

    sensor = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    marking = serializers.CharField(required=False, allow_blank=True, max_length=200)
    format = serializers.ChoiceField(required=False, choices=sorted(FORMATS))
    tasking_request = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def validate_marking(self, value: str) -> str:
        try:
            value.encode("utf-8")
            parse_requested_marking(value)
        except UnicodeEncodeError:
            raise serializers.ValidationError("not valid text (a lone surrogate)") from None
        except DeliveryRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate_tasking_request(self, value: int) -> int:
        try:
            check_tasking_request(value, self.context["user"])
        except DeliveryRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value


def _deliver(request: Request, data: Any, *, filename: str, channel: str) -> Response:
    user: Any = request.user
    if getattr(user, "spoc", None) is None:
        raise NotAllowed("This account belongs to no SpOC and cannot deliver observations.")
    form: Any = request.data if channel == "upload" else {}
    names = ("sensor", "marking", "format", "tasking_request")
    given = {name: request.query_params.get(name) or form.get(name) for name in names}
    given = {name: value for name, value in given.items() if value}
    parameters = DeliveryParameters(data=given, context={"user": user})
    parameters.is_valid(raise_exception=True)
    checked = parameters.validated_data
    batch = receive(
        user,
        data() if callable(data) else data,
        filename=filename,
        channel=channel,
        sensor_number=checked.get("sensor"),
        marking=checked.get("marking") or "",
        fmt=checked.get("format"),
        tasking_request=checked.get("tasking_request"),
    )
    try:
        result = ingest(batch)
    except DatabaseError:
        # The payload is archived and its batch recorded: the sweep fails the batch (if the
        # ingest could not) and reads it again once the database is back; stored once.
        body = {"batch": batch.pk, "status": "failed", "retryable": True, "message": INTERRUPTED}
        return Response(body, status=503, headers={"Retry-After": "120"})
    return delivery_response(result)


DELIVERY_PARAMETERS = [
    OpenApiParameter("sensor", int, description="Sensor number, for records that do not name one"),
    OpenApiParameter("marking", str, description="Marking to apply; never looser than the agreement's"),
    OpenApiParameter(
        "format", str, description="udl-json, csv, tdm-kvn, tdm-xml or b3; detected when absent"
    ),
    OpenApiParameter("tasking_request", int, description="The tasking request this delivery answers"),
]


UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "sensor": {"type": "integer"},
        "marking": {"type": "string"},
        "tasking_request": {"type": "integer"},
    },
}


class ObservationViewSet(MarkedReadOnlyViewSet):
    queryset = Observation.objects.select_related("sensor", "space_object")
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    ordering_fields = ["ob_time", "id"]

    parser_classes = [RawBodyParser]
    content_negotiation_class = FormatIsAParameter

    def _note_visible_objects(self, observations: list[Observation]) -> None:
        ids = {obs.space_object_id for obs in observations if obs.space_object_id is not None}
        self._visible_objects = set(
            SpaceObject.objects.visible_to(self.request.user).filter(id__in=ids).values_list("id", flat=True)
        )

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        self._note_visible_objects(list(page or []))
        return page

    def get_object(self) -> Any:
        obs = super().get_object()
        self._note_visible_objects([obs])
        return obs

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["visible_objects"] = getattr(self, "_visible_objects", set())
        return context

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: OpenApiTypes.OBJECT, 207: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        parameters=DELIVERY_PARAMETERS,
        description="Bulk delivery: a JSON array of UDL-style observations (thousands per request).",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _deliver(request, lambda: request.body, filename="api.json", channel="api")

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={201: OpenApiTypes.OBJECT, 207: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        parameters=DELIVERY_PARAMETERS,
        description="File delivery: CCSDS TDM (KVN or XML), CSV or UDL-style JSON.",
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser])
    def upload(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Attach the file as 'file'."]}, status=400)
        if upload.size is not None and upload.size > settings.MAX_UPLOAD_BYTES:
            limit = settings.MAX_UPLOAD_BYTES
            return Response(
                {"detail": f"file larger than the {limit}-byte limit (MAX_UPLOAD_BYTES)"}, status=413
            )
        # Streamed to the archive from the upload's temporary file, never read whole into memory.
        return _deliver(request, upload.file, filename=upload.name or "upload", channel="upload")


class IngestBatchViewSet(AuditedAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = IngestBatch.objects.all()  # narrowed per reader in get_queryset
    serializer_class = IngestBatchSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "data_format", "channel"]

    def get_queryset(self) -> QuerySet[IngestBatch]:
        return batches_visible_to(self.request.user).select_related("spoc")
