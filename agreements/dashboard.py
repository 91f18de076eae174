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
            Figure(
                "Active agreements",
                Agreement.objects.visible_to(user).filter(status=AgreementStatus.ACTIVE).count(),
                reverse("agreement-list"),
            ),
            Figure("Sensors", Sensor.objects.visible_to(user).count(), reverse("sensor-list")),
            Figure(
                "In tier evaluation",
                TierEvaluation.objects.visible_to(user).filter(status=EvaluationStatus.IN_EVALUATION).count(),
                reverse("evaluation-board"),
            ),
        ],
    )
