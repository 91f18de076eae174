"""Catalog models: space objects and element sets, partner id mappings, catalog sync and
calibration (observations are their own app, `catalog.observations`)."""

from __future__ import annotations

from catalog.models.calibration import (
    CalibrationRun,
    CalibrationStatus,
    CalibrationTruth,
    TruthKind,
)
from catalog.models.earth_orientation import EarthOrientationTable
from catalog.models.objects import (
    CatalogCounter,
    ElementSet,
    ElementSetQuerySet,
    ElsetSource,
    ObjectType,
    Regime,
    SpaceObject,
)
from catalog.models.sync import (
    MappingStatus,
    PartnerObjectMapping,
    SourceKind,
    SyncedFile,
    SyncRun,
    SyncRunStatus,
    SyncSource,
)

__all__ = [
    "CalibrationRun",
    "CalibrationStatus",
    "CalibrationTruth",
    "CatalogCounter",
    "EarthOrientationTable",
    "ElementSet",
    "ElementSetQuerySet",
    "ElsetSource",
    "MappingStatus",
    "ObjectType",
    "PartnerObjectMapping",
    "Regime",
    "SourceKind",
    "SpaceObject",
    "SyncRun",
    "SyncRunStatus",
    "SyncSource",
    "SyncedFile",
    "TruthKind",
]
