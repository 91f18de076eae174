"""API base classes that put every marked queryset through `visible_to(request.user)`.

`MarkingFilterBackend` is the first default filter backend, so a viewset over a marked model
cannot list or fetch (get_object filters too, giving 404) anything its caller may not see.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import filters, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.request import Request
from rest_framework.response import Response

from portal import audit, marking_changes, ownership, references
from portal.api.filters import MarkingFilterBackend
from portal.errors import NotAllowed
from portal.filters import PortalFilterBackend
from portal.markings.marking import Marking, MarkingError
from portal.markings.models import MarkedQuerySet


class AuditedAPIMixin:
    """Names the token-authenticated caller in the audit trail and records classified reads:
    the page of a list, and the record of every detail route (its own actions, such as
    coverage or outages, and its text formats, included). Every serializer of a marked record
    notes what it represents as well (`ReferencingSerializerMixin`); the audit trail writes
    each record once per response."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        audit.set_user(request.user)

    def get_queryset(self) -> QuerySet[Any]:
        # Also filtered here, so that a viewset overriding filter_backends stays safe.
        queryset = super().get_queryset()  # type: ignore[misc]
        if isinstance(queryset, MarkedQuerySet):
            # `readable`: the marking rule, and the model's object-level rule where it has one.
            return references.readable(queryset, self.request.user)  # type: ignore[attr-defined]
        return queryset

    def get_object(self) -> Any:
        instance = super().get_object()  # type: ignore[misc]
        audit.record_reads([instance])
        return instance

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        audit.record_reads(page if page is not None else [])
        return page


class OwnerWrites(permissions.BasePermission):
    """Reads follow the marking; an edit or delete follows the record's `OwnershipRule`."""

    message = "Only the staff of the SpOC this record belongs to may change it."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or ownership.may_change(request.user, obj)


@extend_schema_field(OpenApiTypes.STR)
class MarkingField(serializers.Field):
    """A marking as its banner text; input is parsed and must be one the caller may read."""

    default_error_messages = {"invalid": "{message}"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", 'Banner form, e.g. "SECRET//REL TO USA, GBR"')
        super().__init__(**kwargs)

    def to_representation(self, value: Marking) -> str:
        return value.banner

    def to_internal_value(self, data: Any) -> Marking:
        if not isinstance(data, str):
            self.fail("invalid", message="a marking must be a string")
        try:
            marking = Marking.parse(data)
        except MarkingError as exc:
            self.fail("invalid", message=str(exc))
        request = self.context.get("request")
        if request is not None:
            try:
                marking_changes.check_readable(request.user, marking)
            except marking_changes.MarkingChangeRefused as exc:
                self.fail("invalid", message=exc.message)
        return marking


class ReferenceMixin:
    """A related field that shows its target only to a reader who may read it: anything else
    reads as null (one record) or is left out (many). Input is chosen among readable records,
    so a hidden one is refused exactly like a missing one."""

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()  # type: ignore[misc]
        if queryset is None:
            return None
        request = self.context.get("request")  # type: ignore[attr-defined]
        return references.readable(queryset, getattr(request, "user", None))

    def target_model(self) -> Any:
        queryset = getattr(self, "queryset", None)
        if queryset is not None:
            return queryset.model
        model: Any = self._source_model()
        for attr in self.source_attrs:  # type: ignore[attr-defined]
            model = model._meta.get_field(attr).related_model
        return model

    def _source_model(self) -> Any:
        parent: Any = self.parent  # type: ignore[attr-defined]
        if isinstance(parent, serializers.ManyRelatedField):
            parent = parent.parent
        return parent.Meta.model

    def reader(self) -> references.Reader:
        request = self.context.get("request")  # type: ignore[attr-defined]
        return references.reader_for(request if request is not None else None)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)  # type: ignore[misc]
        if value is None or isinstance(value, models.Manager | QuerySet | list):
            return value
        if not self.reader().may_read(self.target_model(), value.pk):
            return None
        return value

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> Any:
        list_kwargs: dict[str, Any] = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return ReferencesField(**list_kwargs)


class ReferencesField(serializers.ManyRelatedField):
    """Many references: only the readable ones are listed (no count of the others)."""

    def to_representation(self, iterable: Any) -> list[Any]:
        rows = list(iterable.all() if isinstance(iterable, models.Manager) else iterable)
        child: Any = self.child_relation
        reader = child.reader()
        model = child.target_model()
        reader.note(model, [row.pk for row in rows])
        return [child.to_representation(row) for row in rows if reader.may_read(model, row.pk)]


class VisibleRelatedField(ReferenceMixin, serializers.PrimaryKeyRelatedField):
    """A related record by id, among those the caller may read; a hidden one reads as null."""


class VisibleSlugRelatedField(ReferenceMixin, serializers.SlugRelatedField):
    """A related record by a natural key (a sensor number...), among those the caller may read:
    a hidden one gets the same answer as a missing one, and reads as null."""


class ReferencesListSerializer(serializers.ListSerializer):
    """Learns, for a whole page, which referenced rows the reader may read (one query per
    related model) before the rows are represented one by one."""

    def to_representation(self, data: Any) -> Any:
        rows = list(data.all() if isinstance(data, models.Manager) else data)
        child: Any = self.child
        request = self.context.get("request")
        reader = references.reader_for(request)
        model = child.Meta.model
        if references.parent_field(model) is not None:
            # Nested children: only those the reader may read (a hidden link makes one absent).
            rows = reader.shown_all(rows)
        field: Any
        for field in child.fields.values():
            if isinstance(field, ReferenceMixin) and len(field.source_attrs) == 1:  # type: ignore[attr-defined]
                model = field.target_model()
                attname = _attname(child.Meta.model, field.source_attrs[0])  # type: ignore[attr-defined]
                if attname is not None:
                    reader.note(model, [getattr(row, attname, None) for row in rows])
        # Many-valued fields and nested lists: only what is prefetched (asking each row's
        # manager would be a query per row).
        _note_prefetched_children(reader, rows)
        return super().to_representation(rows)


def _note_prefetched_children(reader: references.Reader, rows: list[Any]) -> None:
    """Each row's nested list (a serializer field or a method's) keeps only the children the
    reader may read: learn that for the whole page, one query per child model, not per row."""
    by_model: dict[type[models.Model], list[Any]] = {}
    for row in rows:
        for related in getattr(row, "_prefetched_objects_cache", {}).values():
            for obj in related:
                by_model.setdefault(type(obj), []).append(obj.pk)
    for model, pks in by_model.items():
        reader.note(model, pks)


def _attname(model: Any, name: str) -> str | None:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field.attname if isinstance(field, models.ForeignKey) else None


class RecordsReadsMixin:
    """A classified record this serializer represents, at any depth (a nested current element
    set too), is a read for the audit trail. Every serializer of a marked model has it
    (`tests/portal/test_read_audit_completeness.py` fails on one that has not)."""

    def to_representation(self, instance: Any) -> Any:
        audit.record_reads([instance])
        return super().to_representation(instance)  # type: ignore[misc]


class ReferencingSerializerMixin(RecordsReadsMixin):
    """Related fields go through the references rule; lists learn it per page."""

    serializer_related_field: Any = VisibleRelatedField

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> Any:
        meta = getattr(cls, "Meta", None)
        if meta is not None and not hasattr(meta, "list_serializer_class"):
            meta.list_serializer_class = ReferencesListSerializer
        return super().many_init(*args, **kwargs)  # type: ignore[misc]


class MarkedModelSerializer(ReferencingSerializerMixin, serializers.ModelSerializer):
    """A marked record: its marking changes through `marking_changes.check_change` (a raise by
    any writer, a downgrade by the security officer with `marking_reason`)."""

    marking = MarkingField()
    marking_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Why the marking is downgraded (the security officer only).",
    )
    serializer_related_field = VisibleRelatedField

    def get_field_names(self, declared_fields: Any, info: Any) -> list[str]:
        names = list(super().get_field_names(declared_fields, info))
        if "marking" in names and "marking_reason" not in names:
            names.append("marking_reason")
        return names

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        reason = attrs.pop("marking_reason", "")
        if "marking" in attrs:
            request = self.context.get("request")
            before = self.instance.marking if self.instance is not None else None
            self._marking_change = marking_changes.check_change(
                getattr(request, "user", None), before, attrs["marking"], reason
            )
        return attrs

    def _apply_marking(self, instance: Any, marking: Any) -> None:
        if marking is None:
            return
        change = getattr(self, "_marking_change", None)
        if change is None or change.after != marking:
            request = self.context.get("request")
            before = instance.marking if instance.pk is not None else None
            change = marking_changes.check_change(getattr(request, "user", None), before, marking)
        marking_changes.apply(instance, change)

    def create(self, validated_data: dict[str, Any]) -> Any:
        marking = validated_data.pop("marking")
        model: Any = self.Meta.model
        instance = model(**validated_data)
        self._apply_marking(instance, marking)
        instance.full_clean()
        instance.save()
        return instance

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        self._apply_marking(instance, validated_data.pop("marking", None))
        return super().update(instance, validated_data)


class DowngradeSerializer(serializers.Serializer):
    marking = MarkingField()
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class DowngradeActionMixin:
    """`POST {id}/downgrade/`: the security officer changes a record's marking with a reason."""

    @extend_schema(request=DowngradeSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        serializer_class=DowngradeSerializer,
    )
    def downgrade(self, request: Request, pk: str | None = None) -> Response:
        if not marking_changes.may_downgrade(request.user):
            raise NotAllowed("Only the security officer downgrades a marking.")
        instance = self.get_object()  # type: ignore[attr-defined]
        body = DowngradeSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        marking_changes.downgrade(
            instance, request.user, body.validated_data["marking"], body.validated_data["reason"]
        )
        return Response({"id": instance.pk, "marking": instance.marking.banner})


class MarkedViewSet(DowngradeActionMixin, AuditedAPIMixin, viewsets.ModelViewSet):
    filter_backends = [MarkingFilterBackend, PortalFilterBackend, filters.OrderingFilter]


class MarkedReadOnlyViewSet(AuditedAPIMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [MarkingFilterBackend, PortalFilterBackend, filters.OrderingFilter]
