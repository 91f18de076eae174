"""Which delivery batches a user may read: one rule for the pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from catalog.observations.models import IngestBatch


def batches_visible_to(user: Any) -> QuerySet[IngestBatch]:
    """The marking rule and `portal.ownership.of_visible_spocs`: staff see their SpOC's
    deliveries, the US side all (as `references.readable(IngestBatch, user)`)."""
    return IngestBatch.objects.accessible_to(user)
