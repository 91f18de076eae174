"""Models of the partnership side: agreements and their history, sensors, tiers and evaluations."""

from __future__ import annotations

from agreements.models.agreements import (
    AGREEMENT_TRANSITIONS,
    Agreement,
    AgreementHistory,
    DataPlanEntry,
    HistoryKind,
    TransitionRefused,
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
    "AGREEMENT_TRANSITIONS",
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
]
