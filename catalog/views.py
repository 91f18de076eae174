"""Pages of the catalog: search, an object, sync runs, mapping conflicts."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.views.generic import ListView

from agreements.services.map import WIDTH as MAP_WIDTH
from agreements.services.map import land_path
from catalog.filters import SpaceObjectFilter
from catalog.forms import CatalogSearchForm
from catalog.models import ElementSet, MappingStatus, PartnerObjectMapping, SpaceObject, SyncRun, SyncSource
from catalog.services.groundtrack import ground_track, svg_polylines
from portal import audit, ownership
from portal.filters import FilteredPageMixin
from portal.models import Role
from portal.tables import Table, TablePageMixin
from portal.views.base import MarkedDetailView, MarkedListView, RoleRequiredMixin

HISTORY_PAGE = 50


# No order by the current element set's epoch: the set is marked on its own, and an order
# through it would answer for sets the reader may not see.
CATALOG_TABLE = Table(
    sorts={
        "number": ("catalog_number",),
        "name": ("name", "catalog_number"),
        "designator": ("intl_designator", "catalog_number"),
        "type": ("object_type", "catalog_number"),
        "country": ("owner_country", "catalog_number"),
    },
    default="number",
    search=("name", "intl_designator", "catalog_number="),
)


class CatalogSearchView(TablePageMixin, FilteredPageMixin, MarkedListView):
    model = SpaceObject
    template_name = "catalog/spaceobject_list.html"
    paginate_by = 50
    filterset_class = SpaceObjectFilter
    table = CATALOG_TABLE

    def get_queryset(self) -> QuerySet[SpaceObject]:
        return self.filter_page(super().get_queryset().select_related("current_elset"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = CatalogSearchForm(self.request.GET or None)
        return context


class SpaceObjectDetailView(MarkedDetailView):
    model = SpaceObject
    template_name = "catalog/spaceobject_detail.html"
    slug_field = "catalog_number"
    slug_url_kwarg = "catalog_number"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        history = (
            ElementSet.objects.visible_to(user).filter(space_object=self.object).select_related("source_spoc")
        )
        page = Paginator(history, HISTORY_PAGE).get_page(self.request.GET.get("page"))
        audit.record_reads(page.object_list)
        latest = page.object_list[0] if page.number == 1 and page.object_list else history.first()
        context.update(history=page, latest=latest)
        if latest is not None:
            context["track"] = svg_polylines(ground_track(latest))
            context["land"] = land_path()
            context["land_scale"] = 360 / MAP_WIDTH
        # The US side sees every SpOC's mappings, a SpOC's staff their own (`portal.ownership`).
        context["mappings"] = ownership.of_visible_spocs(
            PartnerObjectMapping.objects.visible_to(user), user
        ).filter(space_object=self.object)
        return context


SYNC_RUN_TABLE = Table(
    sorts={
        "started": ("started", "id"),
        "status": ("status", "-started", "-id"),
        "rejected": ("rejected", "-started", "-id"),
    },
    default="-started",
    search=("label", "source__name"),
)
# Sorted and searched on the mapping's own fields only: an order by its object would follow
# records the reader may not see.
CONFLICT_TABLE = Table(
    sorts={
        "spoc": ("spoc__code", "-created", "-id"),
        "partner_id": ("partner_object_id", "id"),
        "submitted": ("created", "id"),
    },
    default="-submitted",
    search=("partner_object_id", "note"),
)


class SyncRunListView(TablePageMixin, MarkedListView):
    """Run history: US users see every run they may read; a partner its own submissions."""

    model = SyncRun
    template_name = "catalog/syncrun_list.html"
    paginate_by = 50
    table = SYNC_RUN_TABLE

    def get_queryset(self) -> QuerySet[SyncRun]:
        # The base applies SyncRun's `accessible_to` (portal.ownership.of_visible_spocs).
        return super().get_queryset().select_related("source", "spoc")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if ownership.is_us_side(self.request.user):
            context["sources"] = SyncSource.objects.all()
        return context


class MappingConflictListView(TablePageMixin, RoleRequiredMixin, ListView):
    """Partner id mappings that contradict an active one, for an agreement admin to resolve."""

    roles = (Role.AGREEMENT_ADMIN, Role.US_OPERATOR)
    template_name = "catalog/mapping_conflicts.html"
    paginate_by = 50
    table = CONFLICT_TABLE

    def get_queryset(self) -> QuerySet[PartnerObjectMapping]:
        return (
            PartnerObjectMapping.objects.visible_to(self.request.user)
            .filter(status=MappingStatus.CONFLICT)
            .select_related("spoc", "space_object")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        rivals = PartnerObjectMapping.objects.visible_to(self.request.user).select_related("space_object")
        shown = rivals.in_bulk([m.conflicts_with_id for m in rows if m.conflicts_with_id])
        for mapping in rows:
            mapping.rival = shown.get(mapping.conflicts_with_id)
        context["object_list"] = rows
        audit.record_reads(rows)
        return context
