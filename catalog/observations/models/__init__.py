"""Observation models: deliveries (ingest batches) and the observations stored from them.

The tables keep the names they had when observations were part of the catalog app
(`catalog_observation`, `catalog_ingestbatch`): raw SQL, indexes and stored rows stay valid.
"""

from __future__ import annotations

from catalog.observations.models.batches import IngestBatch
from catalog.observations.models.observations import (
    MISSION_BITS,
    MISSION_ORDER,
    Observation,
    ObservationQuerySet,
    missions_mask,
    missions_of,
)

__all__ = [
    "MISSION_BITS",
    "MISSION_ORDER",
    "IngestBatch",
    "Observation",
    "ObservationQuerySet",
    "missions_mask",
    "missions_of",
]
