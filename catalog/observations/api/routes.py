"""API routes of the observations app, registered on the project's one router by portal/api/urls.py."""

from __future__ import annotations

from typing import Any

from catalog.observations.api.views import IngestBatchViewSet, ObservationViewSet

ROUTES: list[tuple[str, Any]] = [
    ("observations", ObservationViewSet),
    ("observation-batches", IngestBatchViewSet),
]
