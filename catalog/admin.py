"""Admin of the catalog's models, through the shared marked admin."""

from __future__ import annotations

from django.contrib import admin

from catalog.models import ElementSet, PartnerObjectMapping, SpaceObject, SyncRun, SyncSource
from portal.admin import MarkedModelAdmin


@admin.register(SpaceObject)
class SpaceObjectAdmin(MarkedModelAdmin):
    list_display = (
        "catalog_number",
        "name",
        "intl_designator",
        "object_type",
        "owner_country",
        "classification_level",
    )
    list_filter = ("object_type", "classification_level")
    search_fields = ("=catalog_number", "name", "intl_designator")
    raw_id_fields = ("current_elset",)
    readonly_fields = ("seq",)


@admin.register(ElementSet)
class ElementSetAdmin(MarkedModelAdmin):
    list_display = ("space_object", "epoch", "source", "source_spoc", "regime", "classification_level")
    list_filter = ("source", "regime", "classification_level")
    search_fields = ("=space_object__catalog_number",)
    raw_id_fields = ("space_object", "sync_run")
    readonly_fields = ("seq", "content_hash")
    list_select_related = ("space_object", "source_spoc")


@admin.register(PartnerObjectMapping)
class PartnerObjectMappingAdmin(MarkedModelAdmin):
    list_display = ("spoc", "partner_object_id", "space_object", "status", "created")
    list_filter = ("status", "spoc")
    raw_id_fields = ("space_object", "conflicts_with")


@admin.register(SyncSource)
class SyncSourceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "location",
        "format",
        "interval",
        "enabled",
        "next_due",
        "default_marking",
    )
    list_filter = ("kind", "enabled")


@admin.register(SyncRun)
class SyncRunAdmin(MarkedModelAdmin):
    list_display = ("started", "source", "label", "status", "added", "updated", "unchanged", "rejected")
    list_filter = ("status", "source")
    readonly_fields = ("run_id",)
