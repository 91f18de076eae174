"""Viewsets of the core's API: the caller, nations, SpOCs, notices, the audit trail, task runs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import audit, ownership
from portal.api.base import MarkedViewSet, OwnerWrites
from portal.api.serializers import (
    AuditEventSerializer,
    MeSerializer,
    NationSerializer,
    NoticeSerializer,
    SpOCSerializer,
    TaskRunSerializer,
)
from portal.audit_filters import AuditEventFilter
from portal.models import AuditEvent, Nation, Notice, Role, SpOC, TaskRun
from portal.task_runs import runs_visible_to


class IsSecurityOfficer(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(getattr(request.user, "role", None) == Role.SECURITY_OFFICER)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        audit.set_user(request.user)
        return Response(MeSerializer(request.user).data)


class NationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Nation.objects.all()
    serializer_class = NationSerializer
    pagination_class = None


class SpOCViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = SpOC.objects.select_related("nation")
    serializer_class = SpOCSerializer
    filterset_fields = ["nation"]


class NoticeViewSet(MarkedViewSet):
    queryset = Notice.objects.select_related("author")
    serializer_class = NoticeSerializer
    filterset_fields = ["spoc", "classification_level"]
    permission_classes = [permissions.IsAuthenticated, OwnerWrites]

    def perform_create(self, serializer: Any) -> None:
        user: Any = self.request.user
        serializer.save(author=user, spoc=ownership.authoring_spoc(user, Notice))


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    permission_classes = [permissions.IsAuthenticated, IsSecurityOfficer]
    filterset_class = AuditEventFilter


class TaskRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Background runs: each one only to who may see it (`portal.task_runs.runs_visible_to`)."""

    queryset = TaskRun.objects.all()
    serializer_class = TaskRunSerializer
    filterset_fields = ["name", "status"]
    lookup_field = "run_id"

    def get_queryset(self) -> QuerySet[TaskRun]:
        return runs_visible_to(self.request.user)
