"""Which delivery batches a user may read: one rule for the pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from catalog.models.observations import IngestBatch


def batches_visible_to(user: Any) -> QuerySet[IngestBatch]:
    """Staff see their SpOC's deliveries; US persons with a US SpOC or a US role see all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return IngestBatch.objects.none()
    visible = IngestBatch.objects.visible_to(user)
    if user.is_us_person and (user.spoc is None or user.spoc.is_us) and user.role != "none":
        return visible
    if user.spoc_id is None:
        return IngestBatch.objects.none()
    return visible.filter(Q(spoc_id=user.spoc_id))
