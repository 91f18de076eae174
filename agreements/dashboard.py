"""The home page's partnership panel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agreements.choices import AgreementStatus, EvaluationStatus
from agreements.models import Agreement, Sensor, TierEvaluation
from portal.dashboard import Figure, Panel


def partnership_panel(user: Any) -> Panel:
    return Panel(
        "Partnership",
        [
            Figure.count(
                "Active agreements",
                Agreement.objects.visible_to(user).filter(status=AgreementStatus.ACTIVE),
                reverse("agreement-list"),
            ),
            Figure.count("Sensors", Sensor.objects.visible_to(user), reverse("sensor-list")),
            Figure.count(
                "In tier evaluation",
                TierEvaluation.objects.visible_to(user).filter(status=EvaluationStatus.IN_EVALUATION),
                reverse("evaluation-board"),
            ),
        ],
    )
