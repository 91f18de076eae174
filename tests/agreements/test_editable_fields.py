"""Every field of an agreement and of a data plan entry is either one its editors set or one
named here as set some other way, so a new field cannot be left out of the form, the admin
and the API by accident."""

from __future__ import annotations

from django.db import models

from agreements.models import AGREEMENT_EDITABLE_FIELDS, DATA_PLAN_FIELDS, Agreement, DataPlanEntry


def editable_names(model: type[models.Model]) -> set[str]:
    opts = model._meta
    return {f.name for f in [*opts.concrete_fields, *opts.many_to_many] if f.editable and not f.primary_key}


def test_an_agreement_field_not_edited_is_its_status_or_its_marking() -> None:
    assert editable_names(Agreement) - set(AGREEMENT_EDITABLE_FIELDS) == {
        "status",
        "classification_level",
        "noforn",
        "rel_mask",
    }
    assert set(AGREEMENT_EDITABLE_FIELDS) <= editable_names(Agreement)


def test_the_history_tracks_the_status_and_every_edited_term_but_the_sensors() -> None:
    assert set(Agreement.TRACKED_FIELDS) == {"status", *AGREEMENT_EDITABLE_FIELDS} - {"sensors"}
    assert len(Agreement.TRACKED_FIELDS) == 16


def test_a_plan_entry_field_not_edited_is_its_agreement() -> None:
    assert editable_names(DataPlanEntry) - set(DATA_PLAN_FIELDS) == {"agreement"}
    assert set(DATA_PLAN_FIELDS) <= editable_names(DataPlanEntry)
