"""Models of the partnership side: agreements and their history, sensors, tiers and evaluations."""

from __future__ import annotations

from agreements.models.agreements import (
    AGREEMENT_EDITABLE_FIELDS,
    AGREEMENT_TRANSITIONS,
    DATA_PLAN_FIELDS,
    Agreement,
    AgreementHistory,
    DataPlanEntry,
    HistoryKind,
    TransitionRefused,
    path_from_draft,
)
from agreements.models.sensors import Sensor, SensorBias, SensorOutage
from agreements.models.tiers import (
    EVALUATION_TRANSITIONS,
    EvaluationHistory,
    EvaluationRefused,
    TierDefinition,
    TierEvaluation,
)

__all__ = [
    "AGREEMENT_EDITABLE_FIELDS",
    "AGREEMENT_TRANSITIONS",
    "DATA_PLAN_FIELDS",
    "EVALUATION_TRANSITIONS",
    "Agreement",
    "AgreementHistory",
    "DataPlanEntry",
    "EvaluationHistory",
    "EvaluationRefused",
    "HistoryKind",
    "Sensor",
    "SensorBias",
    "SensorOutage",
    "TierDefinition",
    "TierEvaluation",
    "TransitionRefused",
    "path_from_draft",
]
