"""Filters of the catalog's pages and API (django-filter)."""

from __future__ import annotations

import django_filters as filters

from catalog.models import ElementSet, ElsetSource, ObjectType, PartnerObjectMapping, Regime, SpaceObject
from portal.filters import PortalFilterSet


class SpaceObjectFilter(PortalFilterSet):
    number = filters.NumberFilter(field_name="catalog_number")
    number_min = filters.NumberFilter(field_name="catalog_number", lookup_expr="gte")
    number_max = filters.NumberFilter(field_name="catalog_number", lookup_expr="lte")
    name = filters.CharFilter(field_name="name", lookup_expr="icontains")
    designator = filters.CharFilter(field_name="intl_designator", lookup_expr="istartswith")
    type = filters.ChoiceFilter(field_name="object_type", choices=ObjectType.choices)
    country = filters.CharFilter(field_name="owner_country", lookup_expr="iexact")
    regime = filters.ChoiceFilter(field_name="current_elset__regime", choices=Regime.choices)
    decayed = filters.BooleanFilter(field_name="decay_date", lookup_expr="isnull", exclude=True)

    class Meta:
        model = SpaceObject
        fields: list[str] = []


class ElementSetFilter(PortalFilterSet):
    number = filters.NumberFilter(field_name="space_object__catalog_number")
    name = filters.CharFilter(field_name="space_object__name", lookup_expr="icontains")
    designator = filters.CharFilter(field_name="space_object__intl_designator", lookup_expr="istartswith")
    type = filters.ChoiceFilter(field_name="space_object__object_type", choices=ObjectType.choices)
    country = filters.CharFilter(field_name="space_object__owner_country", lookup_expr="iexact")
    regime = filters.ChoiceFilter(choices=Regime.choices)
    epoch_after = filters.IsoDateTimeFilter(field_name="epoch", lookup_expr="gte")
    epoch_before = filters.IsoDateTimeFilter(field_name="epoch", lookup_expr="lt")
    source = filters.ChoiceFilter(choices=ElsetSource.choices)
    spoc = filters.CharFilter(field_name="source_spoc__code")

    class Meta:
        model = ElementSet
        fields: list[str] = []


class MappingFilter(PortalFilterSet):
    status = filters.CharFilter()
    spoc = filters.CharFilter(field_name="spoc__code")
    number = filters.NumberFilter(field_name="space_object__catalog_number")
    partner_object_id = filters.CharFilter()

    class Meta:
        model = PartnerObjectMapping
        fields: list[str] = []
