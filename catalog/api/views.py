"""Viewsets of the catalog API: element sets and objects (with `?since=` cursors), mappings, sync runs."""

from __future__ import annotations

import io
import json
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.pagination import SinceCursorPagination
from catalog.api.renderers import ELEMENT_SET_RENDERERS, ElementSetRenderer
from catalog.api.serializers import (
    ELEMENT_SET_VALUES,
    ElementSetSerializer,
    ElementSetSubmissionSerializer,
    ImportResultSerializer,
    MappingSerializer,
    ResolveSerializer,
    SpaceObjectSerializer,
    SyncRunSerializer,
    element_set_data,
)
from catalog.filters import ElementSetFilter, MappingFilter, SpaceObjectFilter
from catalog.formats.elements import FormatError, read_elements
from catalog.models import ElementSet, MappingStatus, PartnerObjectMapping, SpaceObject, SyncRun
from catalog.services import mappings
from catalog.services.export import record_of
from catalog.services.importer import Origin, submit_element_sets
from catalog.services.sync_runs import start_sync_run
from portal import audit
from portal.api.base import MarkedReadOnlyViewSet, MarkingFilterBackend
from portal.api.renderers import MarkedBrowsableAPIRenderer
from portal.filters import PortalFilterBackend
from portal.markings.marking import Level
from portal.models import Role

RENDERERS = [JSONRenderer, MarkedBrowsableAPIRenderer, *ELEMENT_SET_RENDERERS]
FILTERS = [MarkingFilterBackend, PortalFilterBackend]


class IncrementalMixin:
    """List pages by `since` cursor, in JSON or (element sets) the text formats."""

    pagination_class: Any = SinceCursorPagination
    renderer_classes: Any = RENDERERS
    filter_backends: Any = FILTERS

    def records_of(self, page: list[Any]) -> list[Any]:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        paginator: SinceCursorPagination = self.paginator  # type: ignore[attr-defined]
        if isinstance(request.accepted_renderer, ElementSetRenderer):
            return Response(self.records_of(page), headers=paginator.headers())
        serializer = self.get_serializer(page, many=True)  # type: ignore[attr-defined]
        return paginator.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(request.accepted_renderer, ElementSetRenderer):
            instance = self.get_object()  # type: ignore[attr-defined]
            return Response(self.records_of([instance]))
        return super().retrieve(request, *args, **kwargs)  # type: ignore[misc]


class ElementSetViewSet(IncrementalMixin, MarkedReadOnlyViewSet):
    """Element sets the caller may see. POST: a SpOC submits its own (source = that SpOC)."""

    queryset = ElementSet.objects.select_related("space_object").annotate(
        source_spoc_code=F("source_spoc__code")
    )
    serializer_class = ElementSetSerializer
    filterset_class = ElementSetFilter

    def get_queryset(self) -> QuerySet[ElementSet]:
        # The import run that brought a set in, only when the reader may read that run.
        runs = SyncRun.objects.accessible_to(self.request.user).filter(pk=OuterRef("sync_run_id"))
        return super().get_queryset().annotate(sync_run_uuid=Subquery(runs.values("run_id")[:1]))

    def records_of(self, page: list[ElementSet]) -> list[Any]:
        return [record_of(elset) for elset in page]

    @extend_schema(request=ElementSetSubmissionSerializer, responses=ImportResultSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        spoc = getattr(request.user, "spoc", None)
        if spoc is None:
            raise PermissionDenied("only a SpOC's staff or machine client can submit element sets")
        submission = ElementSetSubmissionSerializer(data=request.data, context={"request": request})
        submission.is_valid(raise_exception=True)
        data = submission.validated_data
        fmt: str | None
        if "elements" in data:
            elements = data["elements"]
            text, fmt = json.dumps(elements if isinstance(elements, list) else [elements]), "omm-json"
        else:
            text, fmt = data["text"], (data.get("format") or None)
        marking = data["marking"]
        run = start_sync_run(marking=marking, label=f"API submission by {request.user}", spoc=spoc)
        try:
            result = submit_element_sets(
                lambda: read_elements(io.StringIO(text), fmt),
                marking=marking,
                run=run,
                origin=Origin.partner(spoc),
                file_name=f"api:{request.user}",
                create_objects=False,
                reader=request.user,
            )
        except FormatError as exc:
            return Response({"text" if "text" in data else "elements": [str(exc)]}, status=400)
        body = {"run": str(run.run_id), **result.counts(), "errors": result.errors}
        code: int
        if result.added or result.updated:
            code = status.HTTP_201_CREATED
        elif result.unchanged:
            code = status.HTTP_200_OK
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)

    def get_renderers(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [JSONRenderer(), MarkedBrowsableAPIRenderer()]
        return super().get_renderers()

    http_method_names = ["get", "post", "head", "options"]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(request.accepted_renderer, ElementSetRenderer):
            return super().list(request, *args, **kwargs)
        # The partner pull: plain rows, no model instances, for pages of up to 1,000.
        queryset = self.filter_queryset(self.get_queryset()).values(*ELEMENT_SET_VALUES)
        paginator: SinceCursorPagination = self.paginator  # type: ignore[assignment]
        rows = paginator.paginate_queryset(queryset, request, view=self)
        audit.record_reads(
            ElementSet(
                pk=row["id"],
                space_object_id=row["space_object_id"],
                epoch=row["epoch"],
                source_key=row["source_key"],
                classification_level=row["classification_level"],
                noforn=row["noforn"],
                rel_mask=row["rel_mask"],
            )
            for row in rows
            if row["classification_level"] >= Level.CONFIDENTIAL
        )
        return paginator.get_paginated_response([element_set_data(row) for row in rows])


class SpaceObjectViewSet(IncrementalMixin, MarkedReadOnlyViewSet):
    """Catalog objects the caller may see; text formats give each object's current element set."""

    queryset = SpaceObject.objects.select_related("current_elset")
    serializer_class = SpaceObjectSerializer
    filterset_class = SpaceObjectFilter
    lookup_field = "catalog_number"

    def records_of(self, page: list[SpaceObject]) -> list[Any]:
        return [record_of(obj.current_elset, obj) for obj in page if obj.current_elset is not None]


class MappingViewSet(MarkedReadOnlyViewSet):
    """Partners' own object ids. A partner sees its SpOC's; the US side all it may read
    (`IngestBatch`-like: `portal.ownership.of_visible_spocs` through `accessible_to`).

    POST records a mapping; one that contradicts an active mapping becomes a `conflict`,
    listed at `conflicts/` and resolved by an agreement admin at `{id}/resolve/`.
    """

    queryset = PartnerObjectMapping.objects.select_related("spoc", "space_object")
    serializer_class = MappingSerializer
    filterset_class = MappingFilter
    filter_backends = FILTERS
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        spoc = getattr(request.user, "spoc", None)
        if spoc is None:
            raise PermissionDenied("only a SpOC's staff or machine client can map object ids")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mapping, created = mappings.submit_mapping(
            spoc=spoc,
            partner_object_id=data["partner_object_id"],
            space_object=data["space_object"],
            marking=data["marking"],
            user=request.user,
            note=data.get("note", ""),
        )
        return Response(
            self.get_serializer(mapping).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @action(detail=False, methods=["get"])
    def conflicts(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset()).filter(status=MappingStatus.CONFLICT)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ResolveSerializer, responses=MappingSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        mapping = self.get_object()
        if getattr(request.user, "role", None) != Role.AGREEMENT_ADMIN:
            raise PermissionDenied("conflicting mappings are resolved by an agreement admin")
        decision = ResolveSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        mappings.resolve_conflict(
            mapping, accept=decision.validated_data["decision"] == "accept", user=request.user
        )
        return Response(self.get_serializer(mapping).data)


class SyncRunViewSet(MarkedReadOnlyViewSet):
    """Recorded imports: the US side sees every run it may read, a partner its own submissions."""

    queryset = SyncRun.objects.select_related("source")
    serializer_class = SyncRunSerializer
    filter_backends = [MarkingFilterBackend]
    lookup_field = "run_id"
