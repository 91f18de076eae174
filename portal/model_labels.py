"""Model labels ("app_label.model") as the portal stores them, old and new.

The audit trail and task-run records name the model of their record by label, and are never
rewritten. When a model moves to another app, its app config lists the labels it was stored
under (`former_model_labels`, former label -> model name); here a stored label of either age
finds the model, and a model finds every label its records were stored under.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db import models

# The apps whose models and vocabularies are the portal's own (not Django's or a library's).
PORTAL_APPS = ("portal", "agreements", "catalog", "observations", "tasking")


@cache
def _former_labels() -> dict[str, str]:
    """Former label -> current label, over every installed app."""
    moved: dict[str, str] = {}
    for config in apps.get_app_configs():
        for former, model_name in getattr(config, "former_model_labels", {}).items():
            moved[former] = f"{config.label}.{model_name}"
    return moved


def model_for(label: str) -> type[models.Model]:
    """The model a stored label names, current or former; LookupError if none."""
    current = _former_labels().get(label.lower(), label)
    try:
        return apps.get_model(current)
    except ValueError as exc:
        raise LookupError(f"not a model label: {label!r}") from exc


def labels_of(model: type[models.Model] | str) -> list[str]:
    """Every label the records of `model` (a model or any of its labels) may be stored under,
    the current one first."""
    current = (model_for(model) if isinstance(model, str) else model)._meta.label_lower
    return [current, *sorted(former for former, now in _former_labels().items() if now == current)]


def stored_labels(label: str) -> list[str]:
    """The labels to look for when asked for records stored under `label`: every label of its
    model, or `label` alone when it names no model (an audit filter on an unknown label finds
    nothing rather than failing)."""
    try:
        return labels_of(label)
    except LookupError:
        return [label]
