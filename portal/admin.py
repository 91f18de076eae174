"""Django admin, restricted by the same access rule as every other page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from portal.markings.models import MarkedQuerySet
from portal.models import ApiToken, AuditEvent, Nation, Notice, SpOC, TaskRun, User


class VisibleChoicesMixin:
    """Related-record choices (select boxes of an admin form or inline) limited to what the
    signed-in user may see."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and isinstance(field.queryset, MarkedQuerySet):
            field.queryset = field.queryset.visible_to(request.user)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and isinstance(field.queryset, MarkedQuerySet):
            field.queryset = field.queryset.visible_to(request.user)
        return field


class MarkedModelAdmin(VisibleChoicesMixin, admin.ModelAdmin):
    """Admin pages show only what the signed-in user may see, superuser or not: the rows of
    the changelist and the choices of every related-record field."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if isinstance(queryset, MarkedQuerySet):
            return queryset.visible_to(request.user)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Clearance and affiliation", {"fields": ("nationality", "clearance", "spoc", "role")}),
    )
    list_display = ("username", "nationality", "clearance", "spoc", "role", "is_active")
    list_filter = ("nationality", "clearance", "role", "spoc")


@admin.register(Nation)
class NationAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(SpOC)
class SpOCAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "nation", "staffed_24x7", "time_zone", "preferred_communication")


@admin.register(Notice)
class NoticeAdmin(MarkedModelAdmin):
    list_display = ("title", "spoc", "classification_level", "created")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "model", "object_id", "marking")
    list_filter = ("action", "model")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "started", "finished")
    readonly_fields = [f.name for f in TaskRun._meta.fields]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked here, never read: only a digest of each key is stored, and
    the admin shows neither."""

    list_display = ("name", "user", "spoc", "prefix", "created", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("spoc",)
    fields = ("name", "user", "spoc", "prefix", "created", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
