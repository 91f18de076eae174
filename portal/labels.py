"""Enum codes as people read them: the one place a stored code (`in_negotiation`, `partial`,
`azimuth_elevation`) becomes its label ("In negotiation", "Partially fulfilled", "Azimuth /
elevation"), for every vocabulary of the portal's apps (model field choices and every
`TextChoices`), so no page shows a raw code."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models

from portal.model_labels import PORTAL_APPS


def _choice_classes(base: type[models.Choices]) -> Iterator[type[models.Choices]]:
    for sub in base.__subclasses__():
        yield sub
        yield from _choice_classes(sub)


def _pairs() -> Iterator[tuple[str, str]]:
    for model in apps.get_models():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                yield str(value), str(label)
    for choices in _choice_classes(models.Choices):
        if choices.__module__.split(".")[0] in PORTAL_APPS:
            for member in choices:
                yield str(member.value), str(member.label)


@cache
def labels() -> dict[str, str]:
    """Code -> label for every code with one label across the vocabularies; a code two
    vocabularies label differently (`other`) is left to `humanized`."""
    seen: dict[str, set[str]] = {}
    for value, label in _pairs():
        seen.setdefault(value, set()).add(label)
    return {value: next(iter(found)) for value, found in seen.items() if len(found) == 1}


def humanized(code: str) -> str:
    """`no_capacity` -> "No capacity": a code no vocabulary labels alone still reads as words."""
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else code


@cache
def vocabulary(name: str) -> dict[str, str]:
    """The codes of one vocabulary by its class name (`RequestStatus`), for a code two share."""
    for choices in _choice_classes(models.Choices):
        if choices.__name__ == name and choices.__module__.split(".")[0] in PORTAL_APPS:
            return {str(m.value): str(m.label) for m in choices}
    raise LookupError(f"No vocabulary named {name!r}")


def label_of(value: Any, within: str | None = None) -> str:
    """The label of a code (or of each code of a list, comma-separated), from the vocabulary
    named `within` or any that labels it alone; an em dash for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(label_of(v, within) for v in _in_order(value))
    code = str(value)
    found = (vocabulary(within) if within else labels()).get(code)
    return found if found is not None else humanized(code)


def _in_order(values: Iterable[Any]) -> list[Any]:
    return sorted(values, key=str) if isinstance(values, set | frozenset) else list(values)
