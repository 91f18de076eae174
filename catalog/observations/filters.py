"""The one filter of observations, shared by the explorer page and the API."""

from __future__ import annotations

import django_filters as filters
from django.db.models import QuerySet

from agreements.models import Sensor
from catalog.models import SpaceObject
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import MISSION_BITS, Observation
from portal.filters import PortalFilterSet, ReadableKeyFilter


class ObservationFilter(PortalFilterSet):
    # By number, among the sensors and objects the reader may read: a hidden number finds
    # nothing, as a missing one does (and rows of a hidden object are never picked by number).
    sensor = ReadableKeyFilter(field_name="sensor", model=Sensor, key="number")
    object = ReadableKeyFilter(field_name="space_object", model=SpaceObject, key="catalog_number")
    since = filters.IsoDateTimeFilter(field_name="ob_time", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="ob_time", lookup_expr="lt")
    mission = filters.ChoiceFilter(choices=[(m, m) for m in MISSION_BITS], method="filter_mission")
    uct = filters.ChoiceFilter(
        choices=[("yes", "UCTs only"), ("no", "associated or pending"), ("true", "yes"), ("false", "no")],
        method="filter_uct",
    )
    batch = filters.NumberFilter(field_name="batch_id")
    data_mode = filters.CharFilter(field_name="data_mode")

    class Meta:
        model = Observation
        fields = ["sensor", "object", "since", "until", "mission", "uct", "batch", "data_mode"]

    def filter_mission(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        return queryset.fit_for(value)  # type: ignore[attr-defined]

    def filter_uct(self, queryset: QuerySet[Observation], name: str, value: str) -> QuerySet[Observation]:
        if value in ("yes", "true"):
            return queryset.filter(association=AssociationStatus.UCT)
        return queryset.exclude(association=AssociationStatus.UCT)
