"""API routes of this app, registered on the project's one router by portal/api/urls.py."""

from __future__ import annotations

from typing import Any

from agreements.api import views

ROUTES: list[tuple[str, Any]] = [
    ("sensors", views.SensorViewSet),
    ("sensor-biases", views.SensorBiasViewSet),
    ("agreements", views.AgreementViewSet),
    ("data-plan", views.DataPlanEntryViewSet),
    ("tiers", views.TierDefinitionViewSet),
    ("tier-evaluations", views.TierEvaluationViewSet),
]
