"""Viewsets of the agreements API: sensors, biases, agreements, data plans, tiers and evaluations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agreements.api.serializers import (
    AgreementHistorySerializer,
    AgreementSerializer,
    AgreementTransitionSerializer,
    CoverageQuerySerializer,
    DataPlanEntrySerializer,
    EvaluationDecisionSerializer,
    SensorBiasSerializer,
    SensorOutageSerializer,
    SensorSerializer,
    TierDefinitionSerializer,
    TierEvaluationSerializer,
)
from agreements.choices import EvaluationStatus
from agreements.evidence import runs_for
from agreements.filters import (
    AgreementFilter,
    DataPlanEntryFilter,
    EvaluationFilter,
    SensorBiasFilter,
    SensorFilter,
)
from agreements.models import Agreement, DataPlanEntry, Sensor, SensorBias, TierDefinition, TierEvaluation
from agreements.services.access import is_agreement_admin, is_partner_staff, may_record_for
from agreements.services.coverage import coverage_for
from agreements.services.tiers import evaluation_progress
from portal import audit
from portal.api.base import MarkedViewSet
from portal.errors import NotAllowed


class AdminWrites(permissions.BasePermission):
    """Everyone signed in reads (what the marking allows); agreement admins write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or is_agreement_admin(request.user)


class SensorAccess(permissions.BasePermission):
    """Partner staff (and their machine clients) register and update their own SpOC's sensors;
    agreement admins manage any; US operators and others read."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if is_agreement_admin(request.user):
            return True
        return view.action in {"create", "update", "partial_update", "outages"} and is_partner_staff(
            request.user
        )

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or may_record_for(request.user, obj)


class BiasAccess(permissions.BasePermission):
    """Agreement admins enter hand-entered biases; everyone else reads what they may see."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or is_agreement_admin(request.user)


class SensorViewSet(MarkedViewSet):
    queryset = Sensor.objects.select_related("spoc")
    serializer_class = SensorSerializer
    permission_classes = [permissions.IsAuthenticated, SensorAccess]
    filterset_class = SensorFilter
    ordering_fields = ["number", "name", "id"]

    @extend_schema(parameters=[CoverageQuerySerializer])
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        """Which agreement covers the sensor at `at` (default now), and the response deadline
        for a request of `priority` filed then."""
        sensor = self.get_object()
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        at = query.validated_data.get("at") or timezone.now()
        priority = query.validated_data["priority"]
        # From the agreements the caller may read only: one they may not is as absent as none.
        found = coverage_for(sensor, at, reader=request.user)
        body: dict[str, Any] = {
            "sensor": sensor.pk,
            "at": at,
            "priority": priority,
            "covered": found is not None,
        }
        if found is None:
            return Response(
                {**body, "agreement": None, "direct_tasking": False, "formats": [], "response_deadline": None}
            )
        agreement = found.agreement
        if agreement is not None:
            audit.record_reads([agreement])  # named, with its kind (only a readable one is found)
        return Response(
            {
                **body,
                "us_ssn": found.is_ssn,
                "agreement": agreement.pk if agreement else None,
                "agreement_kind": agreement.kind if agreement else None,
                "direct_tasking": found.direct_tasking,
                "formats": list(found.formats),
                "response_deadline": found.response_deadline(priority, at),
            }
        )

    @action(detail=True, methods=["get", "post"], serializer_class=SensorOutageSerializer)
    def outages(self, request: Request, pk: str | None = None) -> Response:
        sensor = self.get_object()
        if request.method == "POST":
            serializer = SensorOutageSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            serializer.save(sensor=sensor, entered_by=request.user)
            return Response(serializer.data, status=201)
        return Response(
            SensorOutageSerializer(
                sensor.outages.all(), many=True, context=self.get_serializer_context()
            ).data
        )


class SensorBiasViewSet(MarkedViewSet):
    queryset = SensorBias.objects.select_related("sensor", "entered_by")
    serializer_class = SensorBiasSerializer
    permission_classes = [permissions.IsAuthenticated, BiasAccess]
    filterset_class = SensorBiasFilter

    def get_queryset(self) -> QuerySet[SensorBias]:
        return super().get_queryset().filter(sensor__in=Sensor.objects.visible_to(self.request.user))

    def perform_create(self, serializer: Any) -> None:
        serializer.save(entered_by=self.request.user)


class AgreementViewSet(MarkedViewSet):
    queryset = Agreement.objects.select_related("partner").prefetch_related("sensors", "data_plan")
    serializer_class = AgreementSerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    filterset_class = AgreementFilter
    ordering_fields = ["effective_from", "title", "id"]

    @extend_schema(request=AgreementTransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"], serializer_class=AgreementTransitionSerializer)
    def transition(self, request: Request, pk: str | None = None) -> Response:
        agreement = self.get_object()
        body = AgreementTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement.transition(body.validated_data["to"], request.user, body.validated_data["reason"])
        return Response(AgreementSerializer(agreement, context=self.get_serializer_context()).data)

    @extend_schema(responses=AgreementHistorySerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=AgreementHistorySerializer)
    def history(self, request: Request, pk: str | None = None) -> Response:
        agreement = self.get_object()
        if not is_agreement_admin(request.user):
            raise NotAllowed("Agreement history is read by agreement admins.")
        return Response(AgreementHistorySerializer(agreement.history.all(), many=True).data)


class DataPlanEntryViewSet(MarkedViewSet):
    queryset = DataPlanEntry.objects.select_related("agreement", "sensor")
    serializer_class = DataPlanEntrySerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    filterset_class = DataPlanEntryFilter

    def get_queryset(self) -> QuerySet[DataPlanEntry]:
        user = self.request.user
        return (
            super()
            .get_queryset()
            .filter(
                agreement__in=Agreement.objects.visible_to(user), sensor__in=Sensor.objects.visible_to(user)
            )
        )


class TierDefinitionViewSet(MarkedViewSet):
    queryset = TierDefinition.objects.all()
    serializer_class = TierDefinitionSerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    lookup_field = "level"
    pagination_class = None
    http_method_names = ["get", "put", "patch", "head", "options"]


class EvaluationCreateSerializer(serializers.Serializer):
    sensor = serializers.IntegerField()
    candidate_level = serializers.IntegerField(min_value=1, max_value=4)
    started_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TierEvaluationViewSet(MarkedViewSet):
    queryset = TierEvaluation.objects.select_related("sensor")
    serializer_class = TierEvaluationSerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    filterset_class = EvaluationFilter
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=EvaluationCreateSerializer, responses=TierEvaluationSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EvaluationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sensor = Sensor.objects.visible_to(request.user).filter(pk=body.validated_data["sensor"]).first()
        if sensor is None:
            raise serializers.ValidationError({"sensor": "No such sensor."})
        evaluation = TierEvaluation.start(
            sensor,
            body.validated_data["candidate_level"],
            request.user,
            started_on=body.validated_data.get("started_on"),
            reason=body.validated_data["reason"],
        )
        return Response(self.get_serializer(evaluation).data, status=201)

    def _decide(self, request: Request, to: str) -> Response:
        evaluation = self.get_object()
        body = EvaluationDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evaluation.decide(
            to, request.user, body.validated_data["reason"], body.validated_data["calibration_runs"]
        )
        return Response(TierEvaluationSerializer(evaluation, context=self.get_serializer_context()).data)

    @extend_schema(request=EvaluationDecisionSerializer)
    @action(detail=True, methods=["post"], serializer_class=EvaluationDecisionSerializer)
    def promote(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, EvaluationStatus.PROMOTED)

    @extend_schema(request=EvaluationDecisionSerializer)
    @action(detail=True, methods=["post"], serializer_class=EvaluationDecisionSerializer)
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, EvaluationStatus.DECLINED)

    @extend_schema(request=EvaluationDecisionSerializer)
    @action(detail=True, methods=["post"], serializer_class=EvaluationDecisionSerializer)
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, EvaluationStatus.WITHDRAWN)

    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        latest = next(iter(runs_for(evaluation.sensor_id, request.user)), None)
        return Response(
            [
                {
                    "group": row.group,
                    "key": row.key,
                    "criterion": row.label,
                    "threshold": row.threshold,
                    "result": row.result,
                    "met": row.met,
                    "calibration_run": latest.run_id if latest and row.has_result else None,
                }
                for row in evaluation_progress(evaluation, latest.results if latest else None)
            ]
        )
