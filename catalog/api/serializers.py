"""Serializers of the catalog API: element sets, space objects, submissions, id mappings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from catalog.models import ElementSet, PartnerObjectMapping, SpaceObject, SyncRun
from catalog.services.importer import ELEMENT_FIELDS
from portal import audit, ownership
from portal.api.base import MarkedModelSerializer, MarkingField, RecordsReadsMixin
from portal.markings.marking import Level, Marking
from portal.markings.nations import codes_of
from portal.references import reader_for

_MARKINGS: dict[tuple[int, bool, int], str] = {}


def banner_of(row: Any) -> str:
    """The banner of a marked row; cached, since a page of 1,000 rows has few distinct markings."""
    return _banner(row.classification_level, row.noforn, row.rel_mask)


def _banner(level: int, noforn: bool, mask: int) -> str:
    key = (level, noforn, mask)
    if key not in _MARKINGS:
        rel_to = frozenset() if noforn else codes_of(mask)
        _MARKINGS[key] = Marking(Level(level), noforn=noforn, rel_to=rel_to).banner
    return _MARKINGS[key]


DERIVED_FIELDS = ("semi_major_axis_km", "period_min", "apogee_km", "perigee_km", "regime")
_OWN_FIELDS = (*ELEMENT_FIELDS, *DERIVED_FIELDS, "source")
_OWN_COLUMNS = (
    "id",
    "seq",
    "space_object_id",
    "source_key",
    "epoch",
    *_OWN_FIELDS,
    "source_file",
    "source_record",
    "classification_level",
    "noforn",
    "rel_mask",
    "updated",
)
# What a pulled element set is made of: its own columns and its object's, as `values()` names them.
ELEMENT_SET_VALUES = (
    *_OWN_COLUMNS,
    "space_object__catalog_number",
    "space_object__name",
    "space_object__intl_designator",
    "source_spoc_code",
    "sync_run_uuid",
)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def element_set_data(row: dict[str, Any]) -> dict[str, Any]:
    """The API form of an element set from its ELEMENT_SET_VALUES.

    Plain code rather than DRF fields: a partner pulls pages of 1,000 and field-by-field
    serialization was the slow part."""
    data: dict[str, Any] = {
        "id": row["id"],
        "catalog_number": row["space_object__catalog_number"],
        "object_name": row["space_object__name"],
        "intl_designator": row["space_object__intl_designator"],
        "epoch": _iso(row["epoch"]),
    }
    for name in _OWN_FIELDS:
        data[name] = row[name]
    run_id = row["sync_run_uuid"]
    data["source_spoc"] = row["source_spoc_code"]
    data["sync_run"] = str(run_id) if run_id else None
    data["source_file"] = row["source_file"]
    data["source_record"] = row["source_record"]
    data["marking"] = _banner(row["classification_level"], row["noforn"], row["rel_mask"])
    data["updated"] = _iso(row["updated"])
    return data


class ElementSetSerializer(RecordsReadsMixin, serializers.ModelSerializer):
    catalog_number = serializers.IntegerField(source="space_object.catalog_number", read_only=True)
    object_name = serializers.CharField(source="space_object.name", read_only=True)
    intl_designator = serializers.CharField(source="space_object.intl_designator", read_only=True)
    source_spoc: serializers.Field = serializers.CharField(source="source_spoc_code", read_only=True)
    sync_run = serializers.UUIDField(source="sync_run.run_id", read_only=True, allow_null=True)
    marking = MarkingField(read_only=True)

    class Meta:
        model = ElementSet
        fields = [
            "id",
            "catalog_number",
            "object_name",
            "intl_designator",
            "epoch",
            *ELEMENT_FIELDS,
            *DERIVED_FIELDS,
            "source",
            "source_spoc",
            "sync_run",
            "source_file",
            "source_record",
            "marking",
            "updated",
        ]
        read_only_fields = fields

    def to_representation(self, instance: ElementSet) -> dict[str, Any]:
        audit.record_reads([instance])  # rows built here, not by the mixin's representation
        obj = instance.space_object
        row = {name: getattr(instance, name) for name in _OWN_COLUMNS}
        row["space_object__catalog_number"] = obj.catalog_number
        row["space_object__name"] = obj.name
        row["space_object__intl_designator"] = obj.intl_designator
        # Annotated by the viewset, so a page needs no join per related row.
        row["source_spoc_code"] = getattr(instance, "source_spoc_code", None)
        row["sync_run_uuid"] = getattr(instance, "sync_run_uuid", None)
        return element_set_data(row)


class CurrentElementsSerializer(RecordsReadsMixin, serializers.ModelSerializer):
    class Meta:
        model = ElementSet
        fields = ["id", "epoch", "inclination", "eccentricity", "mean_motion", *DERIVED_FIELDS]
        read_only_fields = fields


class SpaceObjectSerializer(RecordsReadsMixin, serializers.ModelSerializer):
    marking = MarkingField(read_only=True)
    current = CurrentElementsSerializer(source="current_elset", read_only=True, allow_null=True)

    class Meta:
        model = SpaceObject
        fields = [
            "id",
            "catalog_number",
            "name",
            "intl_designator",
            "object_type",
            "owner_country",
            "launch_date",
            "launch_site",
            "decay_date",
            "rcs_size",
            "current",
            "marking",
            "updated",
        ]
        read_only_fields = fields


class ElementSetSubmissionSerializer(serializers.Serializer):
    """A partner's own element sets: OMM records (GP field names) as JSON, or text in any format."""

    marking = MarkingField()
    format = serializers.ChoiceField(
        choices=["tle", "omm-json", "omm-xml", "omm-kvn", "omm-csv"], required=False, allow_blank=True
    )
    elements = serializers.JSONField(required=False, help_text="one OMM object or a list, GP field names")
    text = serializers.CharField(required=False, trim_whitespace=False, help_text="a file's content")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("elements" in attrs) == ("text" in attrs):
            raise serializers.ValidationError("give either `elements` (OMM as JSON) or `text`")
        if "elements" in attrs and not isinstance(attrs["elements"], list | dict):
            raise serializers.ValidationError({"elements": ["an OMM object or a list of them"]})
        return attrs


class ImportResultSerializer(serializers.Serializer):
    run = serializers.UUIDField()
    added = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]


class ObjectByNumberField(serializers.SlugRelatedField):
    """A catalog object by number, among those the caller may see (others read as missing)."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return SpaceObject.objects.visible_to(getattr(request, "user", None))


class MappingSerializer(MarkedModelSerializer):
    catalog_number = ObjectByNumberField(source="space_object", slug_field="catalog_number")
    spoc: serializers.Field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # Which mapping a submission contradicts is told only to who resolves conflicts (agreement
    # admins, when they may read it): the submitter is answered the same whether the mapping it
    # contradicts is one they may read or not, and never gets a hidden one's id.
    conflicts_with = serializers.SerializerMethodField()

    class Meta:
        model = PartnerObjectMapping
        fields = [
            "id",
            "spoc",
            "partner_object_id",
            "catalog_number",
            "status",
            "conflicts_with",
            "note",
            "marking",
            "created",
            "resolved",
        ]
        read_only_fields = ["id", "spoc", "status", "conflicts_with", "created", "resolved"]

    def get_conflicts_with(self, mapping: PartnerObjectMapping) -> int | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if mapping.conflicts_with_id is None or not ownership.manages(user, PartnerObjectMapping):
            return None
        if not reader_for(request).may_read(PartnerObjectMapping, mapping.conflicts_with_id):
            return None
        return mapping.conflicts_with_id


class ResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])


class SyncRunSerializer(RecordsReadsMixin, serializers.ModelSerializer):
    source: serializers.Field = serializers.SlugRelatedField(slug_field="name", read_only=True)  # type: ignore[assignment]
    marking = MarkingField(read_only=True)

    class Meta:
        model = SyncRun
        fields = [
            "run_id",
            "source",
            "label",
            "status",
            "started",
            "finished",
            "files",
            "added",
            "updated",
            "unchanged",
            "rejected",
            "errors",
            "marking",
        ]
        read_only_fields = fields
