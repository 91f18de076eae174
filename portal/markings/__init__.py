"""Classification and releasability markings and the access rule built on them.

`Marking` is plain Python; the model base and queryset need Django's app registry, so they are
imported on first use (``from portal.markings import MarkedModel``).
"""

from __future__ import annotations

from typing import Any

from portal.markings.marking import Level, Marking, MarkingError

__all__ = ["Level", "MarkedModel", "MarkedQuerySet", "Marking", "MarkingError", "marking_columns"]


def __getattr__(name: str) -> Any:
    if name in {"MarkedModel", "MarkedQuerySet", "MarkedManager", "marking_columns"}:
        from portal.markings import models

        return getattr(models, name)
    raise AttributeError(name)
