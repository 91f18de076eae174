"""Calibration runs as the evidence of tier evaluations (the answer to `agreements.evidence`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agreements.evidence import RunEvidence
from catalog.calibration.runs import CRITERIA_TYPES
from catalog.models import CalibrationRun, CalibrationStatus


def criterion_results(results: dict[str, Any]) -> dict[str, float]:
    """A run's figures per evaluation criterion: the largest |bias| and noise of the values of
    each measurement type (azimuth and elevation for az/el), where all were estimated."""
    out: dict[str, float] = {}
    for kind, names in CRITERIA_TYPES.items():
        values = [results.get(name) or {} for name in names]
        if not values or any(v.get("bias") is None for v in values):
            continue
        out[f"{kind}.max_bias"] = max(abs(float(v["bias"])) for v in values)
        noises = [float(v["noise"]) for v in values if v.get("noise") is not None]
        if len(noises) == len(values):
            out[f"{kind}.max_noise"] = max(noises)
    return out


class CalibrationRuns:
    def runs(self, sensor_id: int, user: Any) -> list[RunEvidence]:
        runs = (
            CalibrationRun.objects.visible_to(user)
            .filter(sensor_id=sensor_id, status=CalibrationStatus.DONE)
            .order_by("-finished", "-id")
        )
        page = reverse("sensor-calibration", args=[sensor_id])
        return [
            RunEvidence(
                run_id=run.pk,
                label=f"calibration run {run.pk}: {run.start:%Y-%m-%d %H:%M} to {run.end:%Y-%m-%d %H:%M} UTC",
                url=f"{page}#run-{run.pk}",
                finished=run.finished,
                accepted=run.accepted,
                qualifies_for=tuple(int(level) for level in run.qualifies_for or ()),
                results=criterion_results(run.results or {}),
            )
            for run in runs[:50]
        ]
