"""Django admin, restricted by the same access rule as every other page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import router
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from portal import audit, marking_changes
from portal.forms import MarkingChangeFormMixin, MarkingFormField
from portal.markings.models import MarkedModel, MarkedQuerySet
from portal.models import ApiToken, AuditEvent, Nation, Notice, SpOC, TaskRun, User
from portal.references import is_guarded, readable, reader_for


class VisibleRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box that shows the chosen record (its id, name and link) only when the reader
    may see it; otherwise it reads as empty."""

    def __init__(self, *args: Any, visible: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible = visible

    def _is_visible(self, value: Any) -> bool:
        key = self.rel.get_related_field().name
        try:
            self.visible.get(**{key: value})
        except (ValueError, ValidationError, ObjectDoesNotExist):
            return False
        return True

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        # A hidden record's id is not put in the box either: the box reads as empty.
        if value not in (None, "") and not self._is_visible(value):
            value = None
        return super().get_context(name, value, attrs)

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        if not self._is_visible(value):
            return "", ""
        return super().label_and_url_for_value(value)


class VisibleChoicesMixin:
    """Related-record choices (select boxes, raw-id boxes of an admin form or inline) limited
    to what the signed-in user may see."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and isinstance(field.queryset, MarkedQuerySet):
            field.queryset = field.queryset.visible_to(request.user)
            if isinstance(field.widget, ForeignKeyRawIdWidget):
                raw = field.widget
                field.widget = VisibleRawIdWidget(
                    raw.rel, raw.admin_site, attrs=raw.attrs, using=raw.db, visible=field.queryset
                )
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and isinstance(field.queryset, MarkedQuerySet):
            field.queryset = field.queryset.visible_to(request.user)
        return field


def admin_rows(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The rows an admin page shows: a marked model's by the marking rule (the admin's own
    superusers hold no SpOC role), a child's through its parent and what it is about
    (`portal.references.readable`)."""
    if isinstance(queryset, MarkedQuerySet):
        return queryset.visible_to(user)
    return readable(queryset, user)


class ReadableInline(VisibleChoicesMixin, admin.TabularInline):
    """The rows of an inline are those the reader may read (`portal.references.readable`): a
    child read through its parent and what it is about (a data-plan entry about a hidden
    sensor) is absent, and left as it is when the parent is saved."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return admin_rows(super().get_queryset(request), request.user)


MARKING_COLUMNS = ("classification_level", "noforn", "rel_mask")
MARKING_FIELDS = ("marking", "marking_reason")


class MarkedAdminForm(MarkingChangeFormMixin, forms.ModelForm):
    """The marking edited as one validated `Marking`, never as its raw columns, through
    `marking_changes.check_change` like every other form: anyone raises it, only the security
    officer lowers or widens it, with the reason this form then asks for; the save is audited
    as a downgrade."""

    marking = MarkingFormField()
    marking_reason = forms.CharField(required=False, label="Reason for a downgrade", max_length=500)
    actor: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._marking_user = self.actor
        field: Any = self.fields["marking"]
        field.user = self.actor
        if self.instance.pk:
            self.initial["marking"] = self.instance.marking

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Set here so that the model's own validation sees the new marking.
        self.apply_marking()
        self._keep_hidden_links(data)
        return data

    def _keep_hidden_links(self, data: dict[str, Any]) -> None:
        """A raw-id box of a record the reader may not see was shown empty; left empty, the
        link stays as it was rather than being cleared by someone who could not see it."""
        if not self.instance.pk:
            return
        for name, field in self.fields.items():
            widget = getattr(field, "widget", None)
            if not isinstance(widget, VisibleRawIdWidget) or data.get(name) is not None:
                continue
            attname = self.instance._meta.get_field(name).attname
            current = getattr(self.instance, attname, None)
            if current is not None and not widget._is_visible(current):
                data.pop(name, None)  # construct_instance leaves the field as it is


class MarkedModelAdmin(VisibleChoicesMixin, admin.ModelAdmin):
    """Admin pages show only what the signed-in user may see, superuser or not: the rows of
    the changelist (and so history, change and delete pages, and the autocomplete of fields
    pointing here), the choices and raw-id labels of every related-record field, and delete
    confirmations. The marking is one validated field."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return admin_rows(super().get_queryset(request), request.user)

    def get_list_display(self, request: HttpRequest) -> Any:
        """A column naming a related guarded record shows it only to its readers."""
        return [
            self._readable_column(name, request)
            if isinstance(name, str) and self._is_guarded_link(name)
            else name
            for name in super().get_list_display(request)
        ]

    def _is_guarded_link(self, name: str) -> bool:
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        target = getattr(field, "related_model", None)
        return bool(field.many_to_one or field.one_to_one) and isinstance(target, type) and is_guarded(target)

    def _readable_column(self, name: str, request: HttpRequest) -> Any:
        def column(obj: Any) -> str:
            return reader_for(request).name(getattr(obj, name), absent="—")

        column.short_description = self.model._meta.get_field(name).verbose_name  # type: ignore[attr-defined]
        column.admin_order_field = name  # type: ignore[attr-defined]
        return column

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit.record_reads(changelist.result_list)
        return response

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # The record of the change, history and delete pages: a read for the audit trail.
        obj = super().get_object(request, object_id, from_field)
        audit.record_reads([obj])
        return obj

    def _is_marked(self) -> bool:
        return issubclass(self.model, MarkedModel)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if not self._is_marked():
            return fieldsets
        rewritten: list[Any] = []
        placed = False
        for name, options in fieldsets:
            fields: list[Any] = []
            for field in options.get("fields", ()):
                if field in MARKING_COLUMNS or field in MARKING_FIELDS:
                    if not placed:
                        fields.extend(self._marking_fields(request, obj))
                        placed = True
                    continue
                fields.append(field)
            rewritten.append((name, {**options, "fields": fields}))
        if not placed and rewritten:
            name, options = rewritten[0]
            rewritten[0] = (
                name,
                {**options, "fields": [*options["fields"], *self._marking_fields(request, obj)]},
            )
        return rewritten

    def _marking_fields(self, request: HttpRequest, obj: Any) -> list[str]:
        if obj is not None and marking_changes.may_downgrade(request.user):
            return list(MARKING_FIELDS)
        return ["marking"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if self._is_marked():
            base = (
                self.form
                if issubclass(self.form, MarkedAdminForm)
                else type("Marked" + self.form.__name__, (MarkedAdminForm, self.form), {})
            )
            kwargs["form"] = type(base.__name__, (base,), {"actor": request.user})
        return super().get_form(request, obj, change, **kwargs)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """A deletion that would take records the user may not see with it is refused, and the
        confirmation names none of them."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        hidden = 0
        for instances in collector.data.values():
            hidden += sum(
                1 for item in instances if isinstance(item, MarkedModel) and not item.allows(request.user)
            )
        if hidden:
            return [], {}, set(), ["related records you may not see"]
        return super().get_deleted_objects(objs, request)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts for superusers; clearance, nationality, SpOC, role and whether the account is
    active change only on the security officer's pages (separation of duties), so they are
    read-only here, for everyone, the superuser's own account included."""

    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Clearance and affiliation (changed on the security officer's pages)",
            {"fields": ("nationality", "clearance", "spoc", "role")},
        ),
    )
    readonly_fields = ("nationality", "clearance", "spoc", "role", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            return (*fields, "is_staff", "is_superuser", "groups", "user_permissions")
        return fields

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
    readonly_fields = ("author",)


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
