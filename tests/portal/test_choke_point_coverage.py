"""Fails when a marked model can be reached without `visible_to`: its manager, its admin page,
or an API viewset that lists it."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

from portal.admin import MarkedModelAdmin, VisibleChoicesMixin
from portal.api.filters import MarkingFilterBackend
from portal.api.urls import router
from portal.markings.models import MarkedModel, MarkedQuerySet


def marked_models() -> list[type[MarkedModel]]:
    return [m for m in apps.get_models() if issubclass(m, MarkedModel)]


def test_every_marked_model_has_a_visible_to_manager() -> None:
    for model in marked_models():
        assert isinstance(model._default_manager.all(), MarkedQuerySet), model


def test_every_marked_model_in_the_admin_is_filtered() -> None:
    for model, model_admin in admin.site._registry.items():
        if issubclass(model, MarkedModel):
            assert isinstance(model_admin, MarkedModelAdmin), model


def test_every_api_viewset_over_a_marked_model_filters_by_marking() -> None:
    for _, viewset, _ in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is None or not issubclass(queryset.model, MarkedModel):
            continue
        assert MarkingFilterBackend in getattr(viewset, "filter_backends", []), viewset


def test_every_admin_offering_marked_related_records_limits_its_choices() -> None:
    for model, model_admin in admin.site._registry.items():
        relations = [f for f in model._meta.get_fields() if (f.many_to_one or f.many_to_many) and f.concrete]
        if any(
            isinstance(f.related_model, type) and issubclass(f.related_model, MarkedModel) for f in relations
        ):
            assert isinstance(model_admin, VisibleChoicesMixin), model
