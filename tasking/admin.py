"""Admin pages of tasking, behind the same access rule as the rest of the site.

Requests change state only through the workflow (tasking.services.transitions), so their admin
page is for looking, not editing. A related record that is itself marked (sensor, agreement,
operation, request) is shown only when the reader may see it; otherwise it reads as empty,
exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from portal.admin import MarkedModelAdmin
from portal.markings.models import MarkedModel
from tasking.models import (
    CoalitionOperation,
    Notification,
    RequestEvent,
    RequestMessage,
    RequestTarget,
    RequestWindow,
    SupportPlanEntry,
    TaskingRequest,
)

HIDDEN = "—"


def with_visible_relations(queryset: QuerySet[Any], user: Any, names: tuple[str, ...]) -> QuerySet[Any]:
    """Annotates `_<name>_visible` for each marked foreign key, so a page can tell without a query per row."""
    flags = {}
    for name in names:
        related: Any = queryset.model._meta.get_field(name).related_model
        flags[f"_{name}_visible"] = Exists(
            related._default_manager.visible_to(user).filter(pk=OuterRef(f"{name}_id"))
        )
    return queryset.annotate(**flags)


def shown(obj: Any, name: str) -> str:
    if getattr(obj, f"{name}_id", None) is None or not getattr(obj, f"_{name}_visible", False):
        return HIDDEN
    return str(getattr(obj, name))


def marking_of(obj: MarkedModel) -> str:
    return obj.marking.banner


class VisibleRelationsMixin:
    """Marked foreign keys are annotated for display (choices are limited by MarkedModelAdmin)."""

    marked_relations: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return with_visible_relations(queryset, request.user, self.marked_relations)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WindowInline(ReadOnlyInline):
    model = RequestWindow
    fields = ("start", "end")
    readonly_fields = fields


class TargetInline(ReadOnlyInline):
    model = RequestTarget
    fields = ("target", "elements_epoch", "elements_copied_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return with_visible_relations(super().get_queryset(request), request.user, ("space_object",))

    @admin.display(description="Object")
    def target(self, obj: RequestTarget) -> str:
        return shown(obj, "space_object")


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "actor_name", "side", "action", "from_status", "to_status", "reason_code", "text")
    readonly_fields = fields


@admin.register(TaskingRequest)
class TaskingRequestAdmin(VisibleRelationsMixin, MarkedModelAdmin):
    marked_relations = ("sensor", "agreement", "operation")
    list_display = (
        "reference",
        "title",
        "spoc",
        "kind",
        "status",
        "priority",
        "response_deadline",
        "counted",
        "marking",
    )
    list_filter = ("status", "kind", "priority", "purpose", "spoc", "classification_level", "noforn")
    list_select_related = ("spoc",)
    search_fields = ("title",)
    date_hierarchy = "submitted_at"
    ordering = ("-created", "-id")
    inlines = (WindowInline, TargetInline, EventInline)
    fieldsets = (
        (None, {"fields": ("title", "kind", "status", "spoc", "sensor_shown", "agreement_shown")}),
        (
            "What is asked",
            {
                "fields": (
                    "priority",
                    "purpose",
                    "observation_type",
                    "observations_wanted",
                    "tracks_wanted",
                    "minimum_tier",
                    "instructions",
                    "data_formats",
                    "operation_shown",
                    "requested_by",
                )
            },
        ),
        (
            "Answer",
            {
                "fields": (
                    "submitted_at",
                    "response_deadline",
                    "staffing_warning",
                    "answered_at",
                    "first_answer",
                    "reject_reason",
                    "failure_reason",
                    "reason_text",
                    "proposed_start",
                    "proposed_end",
                    "closed_at",
                )
            },
        ),
        (
            "Fulfilment (at the request's marking)",
            {"fields": ("observations_counted", "tracks_counted", "first_delivery_at", "delivery_latency_s")},
        ),
        ("Marking", {"fields": ("marking",)}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for _, section in self.fieldsets for name in section["fields"]]  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Ref", ordering="id")
    def reference(self, obj: TaskingRequest) -> str:
        return obj.reference

    @admin.display(description="Counted")
    def counted(self, obj: TaskingRequest) -> str:
        return f"{obj.observations_counted}/{obj.observations_wanted}"

    @admin.display(description="Marking", ordering="classification_level")
    def marking(self, obj: TaskingRequest) -> str:
        return marking_of(obj)

    @admin.display(description="Sensor")
    def sensor_shown(self, obj: TaskingRequest) -> str:
        return shown(obj, "sensor")

    @admin.display(description="Agreement")
    def agreement_shown(self, obj: TaskingRequest) -> str:
        return shown(obj, "agreement")

    @admin.display(description="Operation")
    def operation_shown(self, obj: TaskingRequest) -> str:
        return shown(obj, "operation")


class PlanEntryInline(admin.TabularInline):
    model = SupportPlanEntry
    extra = 0
    fields = ("label", "spoc", "sensor_shown", "object_shown", "start", "end", "request_shown", "notes")
    readonly_fields = ("sensor_shown", "object_shown", "request_shown")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return with_visible_relations(
            super().get_queryset(request), request.user, ("sensor", "space_object", "request")
        )

    @admin.display(description="Sensor")
    def sensor_shown(self, obj: SupportPlanEntry) -> str:
        return shown(obj, "sensor")

    @admin.display(description="Object")
    def object_shown(self, obj: SupportPlanEntry) -> str:
        return shown(obj, "space_object")

    @admin.display(description="Request")
    def request_shown(self, obj: SupportPlanEntry) -> str:
        return shown(obj, "request")


@admin.register(CoalitionOperation)
class CoalitionOperationAdmin(MarkedModelAdmin):
    list_display = ("code", "name", "status", "starts", "ends", "lead", "marking")
    list_filter = ("status", "classification_level", "noforn")
    list_select_related = ("lead",)
    search_fields = ("code", "name")
    date_hierarchy = "starts"
    filter_horizontal = ("participants",)
    fields = ("code", "name", "description", "status", "starts", "ends", "participants", "lead", "marking")
    readonly_fields = ("code", "marking")
    inlines = (PlanEntryInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Created through the site or API, which check the marking against the creator.
        return False

    @admin.display(description="Marking", ordering="classification_level")
    def marking(self, obj: CoalitionOperation) -> str:
        return marking_of(obj)


class RecordAdmin(VisibleRelationsMixin, MarkedModelAdmin):
    """A record of what was said or sent: looked at, never rewritten."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Marking", ordering="classification_level")
    def marking(self, obj: MarkedModel) -> str:
        return marking_of(obj)

    @admin.display(description="Request")
    def request_shown(self, obj: Any) -> str:
        return shown(obj, "request")


@admin.register(RequestMessage)
class RequestMessageAdmin(RecordAdmin):
    marked_relations = ("request",)
    list_display = ("created", "request_shown", "author_name", "author_spoc", "marking")
    list_filter = ("author_spoc", "classification_level", "noforn")
    list_select_related = ("request", "author_spoc")
    search_fields = ("author_name", "body")
    date_hierarchy = "created"
    fields = ("request_shown", "author_name", "author_spoc", "created", "body", "marking")
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    marked_relations = ("request",)
    list_display = ("created", "user", "kind", "title", "request_shown", "read_at", "emailed_at", "marking")
    list_filter = ("kind", "classification_level", "noforn")
    list_select_related = ("user", "request")
    search_fields = ("title", "user__username")
    date_hierarchy = "created"
    fields = ("user", "kind", "title", "body", "request_shown", "created", "read_at", "emailed_at", "marking")
    readonly_fields = fields
