"""Viewsets of the tasking API. Thin: filing, transitions and rows come from tasking.services."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal import audit
from portal.api.base import AuditedAPIMixin
from portal.api.filters import MarkingFilterBackend
from portal.filters import PortalFilterBackend
from portal.markings.marking import Marking
from tasking.api.serializers import (
    FilingSerializer,
    MessageSerializer,
    OperationSerializer,
    TaskingRequestSerializer,
    TransitionSerializer,
)
from tasking.filters import TaskingRequestFilter
from tasking.forms import MetricsParamsForm
from tasking.models import CoalitionOperation, RequestMessage, TaskingRequest
from tasking.services import conversation, metrics, transitions
from tasking.services import operations as operation_services
from tasking.services.filing import file_request
from tasking.services.rows import INBOX_STATUSES, RequestRow, request_rows, with_page_data


class RequestAccessBackend(filters.BaseFilterBackend):
    """After the marking rule: the US side, or staff of the SpOC asked. Everything else is a 404."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        return queryset.accessible_to(request.user)  # type: ignore[attr-defined]


class TaskingRequestViewSet(
    AuditedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests you may open. US operators file with POST; the addressed SpOC answers with `transition`."""

    queryset = TaskingRequest.objects.all()
    serializer_class = TaskingRequestSerializer
    filter_backends = [MarkingFilterBackend, RequestAccessBackend, PortalFilterBackend]
    filterset_class = TaskingRequestFilter
    # The rows of the requests this answer shows, by id: the serializer reads each one's actions.
    # Set afresh for each answer (`shown`); the class's own is an empty, read-only default.
    rows: Mapping[int, RequestRow] = MappingProxyType({})

    def get_queryset(self) -> QuerySet[TaskingRequest]:
        return with_page_data(TaskingRequest.objects.all())

    def shown(self, requests: list[TaskingRequest], *, answerable: bool = False) -> list[TaskingRequest]:
        """Note the rows of `requests`; `answerable`: they came from `answerable_by` the caller."""
        rows = request_rows(requests, self.request, answerable=answerable)
        self.rows = {row.request.pk: row for row in rows}
        return requests

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "rows": self.rows}

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return None if page is None else self.shown(page)

    def get_object(self) -> TaskingRequest:
        obj = super().get_object()
        self.shown([obj])
        return obj

    @extend_schema(request=FilingSerializer, responses={201: TaskingRequestSerializer})
    def create(self, request: Request) -> Response:
        serializer = FilingSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        filed = file_request(serializer.filing(), request.user, submit=serializer.validated_data["submit"])
        obj = self.get_queryset().get(pk=filed.request.pk)
        self.shown([obj])
        body = {
            **TaskingRequestSerializer(obj, context=self.get_serializer_context()).data,
            "warnings": filed.warnings,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses=TaskingRequestSerializer(many=True))
    @action(detail=False)
    def inbox(self, request: Request) -> Response:
        """Requests addressed to the caller's SpOC that are waiting for it or in its hands, by deadline."""
        requests = (
            with_page_data(TaskingRequest.objects.answerable_by(request.user))
            .filter(status__in=INBOX_STATUSES)
            .order_by("response_deadline", "pk")
        )
        shown = self.shown(list(requests[:500]), answerable=True)
        audit.record_reads(shown)
        context = self.get_serializer_context()
        return Response(TaskingRequestSerializer(shown, many=True, context=context).data)

    @extend_schema(request=TransitionSerializer, responses=TaskingRequestSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Answer or report: accept, reject (reason_code, text), propose (proposed_start/end), schedule..."""
        obj = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        window = (
            (data["proposed_start"], data["proposed_end"])
            if "proposed_start" in data and "proposed_end" in data
            else None
        )
        transitions.apply(
            obj,
            data["action"],
            by=request.user,
            reason_code=data["reason_code"],
            text=data["text"],
            window=window,
        )
        return self.retrieve(request, pk=pk)

    @extend_schema(request=MessageSerializer, responses=MessageSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        if request.method == "POST":
            serializer = MessageSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            message = conversation.post_message(
                obj, request.user, serializer.validated_data["body"], serializer.validated_data["marking"]
            )
            return Response(
                MessageSerializer(message, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )
        thread = list(RequestMessage.objects.visible_to(request.user).filter(request=obj))
        audit.record_reads(thread)
        return Response(MessageSerializer(thread, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("months", int, description="Months to date (1-24, default 6)"),
            OpenApiParameter("spoc", str, description="SpOC code"),
        ]
    )
    @action(detail=False)
    def metrics(self, request: Request) -> Response:
        """Partner responsiveness by month, from the requests you may open; marked with their combination."""
        params = MetricsParamsForm(request.query_params)
        if not params.is_valid():
            raise ValidationError(params.messages())
        report = metrics.partner_metrics(
            request.user, months=params.cleaned_data["months"], spoc_code=params.cleaned_data["spoc"]
        )
        return Response(
            {
                "marking": report.marking.banner,
                "inputs": report.inputs,
                "months": [m.strftime("%Y-%m") for m in report.months],
                "results": [row.as_dict() for row in report.rows],
            }
        )


class IsUSOperatorToWrite(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        from tasking.models import is_operator

        return request.method in permissions.SAFE_METHODS or is_operator(request.user)


class CoalitionOperationViewSet(
    AuditedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = CoalitionOperation.objects.prefetch_related("participants")
    serializer_class = OperationSerializer
    filter_backends = [MarkingFilterBackend]
    permission_classes = [permissions.IsAuthenticated, IsUSOperatorToWrite]
    lookup_field = "code"

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        marking: Marking = data["marking"]
        serializer.instance = operation_services.create_operation(
            self.request.user,
            code=data["code"],
            name=data["name"],
            starts=data["starts"],
            ends=data["ends"],
            marking=marking,
            participants=data.get("participants", []),
            description=data.get("description", ""),
        )
