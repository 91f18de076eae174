"""Observation API: bulk delivery (JSON array or file), batches, and the filtered list.

Delivery answers 201 when every record was stored (or already was), 207 when some were
rejected (the body lists them with record number and field), 400 when nothing could be stored.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import SpaceObject
from catalog.models.observations import (
    BatchStatus,
    IngestBatch,
    Observation,
)
from catalog.observations.corrections import withhold_corrections
from catalog.observations.filters import ObservationFilter
from catalog.observations.ingest import IngestResult, ingest_bytes
from portal.api.base import (
    MarkedReadOnlyViewSet,
    MarkingField,
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
    """Of `request_ids`, the tasking requests `user` may open (one query, through the lazy relation)."""
    if not request_ids:
        return set()
    requests = apps.get_model("tasking", "TaskingRequest").objects
    return set(requests.accessible_to(user).filter(pk__in=request_ids).values_list("pk", flat=True))


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


class IngestBatchSerializer(serializers.ModelSerializer):
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


def batches_visible_to(user: Any) -> QuerySet[IngestBatch]:
    """Staff see their SpOC's deliveries; US persons with a US SpOC or a US role see all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return IngestBatch.objects.none()
    visible = IngestBatch.objects.visible_to(user)
    if user.is_us_person and (user.spoc is None or user.spoc.is_us) and user.role != "none":
        return visible
    if user.spoc_id is None:
        return IngestBatch.objects.none()
    return visible.filter(Q(spoc_id=user.spoc_id))


def delivery_response(result: IngestResult) -> Response:
    batch = result.batch
    if batch.status == BatchStatus.ACCEPTED:
        code = 201
    elif batch.status == BatchStatus.PARTIAL:
        code = 207
    else:
        code = 400
    return Response(result.as_dict(), status=code)


def _deliver(request: Request, data: bytes, *, filename: str, channel: str) -> Response:
    user: Any = request.user
    if getattr(user, "spoc", None) is None:
        raise NotAllowed("This account belongs to no SpOC and cannot deliver observations.")
    form: Any = request.data if channel == "upload" else {}
    sensor = request.query_params.get("sensor") or form.get("sensor")
    marking = request.query_params.get("marking") or form.get("marking") or ""
    fmt = request.query_params.get("format") or None
    answering = request.query_params.get("tasking_request") or form.get("tasking_request") or ""
    result = ingest_bytes(
        user,
        data,
        filename=filename,
        channel=channel,
        sensor_number=int(sensor) if sensor and str(sensor).isdigit() else None,
        marking=marking,
        fmt=fmt,
        tasking_request=int(answering) if str(answering).isdigit() else None,
    )
    return delivery_response(result)


DELIVERY_PARAMETERS = [
    OpenApiParameter("sensor", int, description="Sensor number, for records that do not name one"),
    OpenApiParameter("marking", str, description="Marking to apply; never looser than the agreement's"),
    OpenApiParameter("format", str, description="udl-json, csv, tdm-kvn or tdm-xml; detected when absent"),
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
        return _deliver(request, request.body, filename="api.json", channel="api")

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
        return _deliver(request, upload.read(), filename=upload.name or "upload", channel="upload")


class IngestBatchViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = IngestBatch.objects.all()  # narrowed per reader in get_queryset
    serializer_class = IngestBatchSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "data_format", "channel"]

    def get_queryset(self) -> QuerySet[IngestBatch]:
        return batches_visible_to(self.request.user).select_related("spoc")
