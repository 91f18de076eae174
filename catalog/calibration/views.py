"""The per-sensor calibration page: runs, their verdicts and residual charts; queue and accept."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from agreements.models import Sensor
from agreements.services.access import is_agreement_admin
from catalog.calibration import runs
from catalog.calibration.tasks import run_calibration
from catalog.models import CalibrationRun, CalibrationStatus
from catalog.services.earth_orientation import active_table
from portal.forms import UTCDateTimeInput

HISTORY = 50


class QueueForm(forms.Form):
    start = forms.DateTimeField(widget=UTCDateTimeInput(), help_text="UTC")
    end = forms.DateTimeField(widget=UTCDateTimeInput(), help_text="UTC")
    reject_sigma = forms.FloatField(initial=3.0, min_value=2.0, max_value=10.0, label="Reject beyond (sigma)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "The period must end after it starts.")
        return data


def _bias_history(visible_runs: list[CalibrationRun]) -> dict[str, list[dict[str, Any]]]:
    history: dict[str, list[dict[str, Any]]] = {}
    for run in reversed(visible_runs):
        if run.status != CalibrationStatus.DONE:
            continue
        for name, values in run.results.items():
            if values.get("bias") is None:
                continue
            history.setdefault(name, []).append(
                {
                    "t": run.end.timestamp(),
                    "bias": values["bias"],
                    "sigma": values["bias_sigma"],
                    "run": run.pk,
                }
            )
    return history


class SensorCalibrationView(LoginRequiredMixin, View):
    model = Sensor  # what the page is about (the generated tests walk pages by it)
    template_name = "calibration/sensor_calibration.html"

    def _sensor(self, request: HttpRequest, pk: int) -> Sensor:
        return get_object_or_404(Sensor.objects.visible_to(request.user).select_related("spoc"), pk=pk)

    def _render(
        self, request: HttpRequest, sensor: Sensor, form: QueueForm | None, status: int = 200
    ) -> HttpResponse:
        visible = list(CalibrationRun.objects.visible_to(request.user).filter(sensor=sensor)[:HISTORY])
        latest = next((run for run in visible if run.status == CalibrationStatus.DONE), None)
        current = runs.current_corrections(sensor)
        if current is not None and not current.allows(request.user):
            current = None
        eop = active_table()
        admin = is_agreement_admin(request.user)
        context = {
            "sensor": sensor,
            "runs": visible,
            "latest": latest,
            "current": current,
            "eop": eop,
            "eop_age_days": eop.age_days(timezone.now().date()),
            "is_admin": admin,
            "form": form if form is not None else (QueueForm() if admin else None),
            "chart_samples": latest.samples if latest else {},
            "chart_history": _bias_history(visible),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._sensor(request, pk), None)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        sensor = self._sensor(request, pk)
        if not is_agreement_admin(request.user):
            raise PermissionDenied("Only an agreement admin queues calibration runs.")
        form = QueueForm(request.POST)
        if not form.is_valid():
            return self._render(request, sensor, form, status=400)
        try:
            run = runs.request_run(
                sensor,
                form.cleaned_data["start"].astimezone(dt.UTC),
                form.cleaned_data["end"].astimezone(dt.UTC),
                form.cleaned_data["reject_sigma"],
            )
        except runs.CalibrationRefused as exc:
            form.add_error(None, str(exc))
            return self._render(request, sensor, form, status=400)
        if run.status == CalibrationStatus.QUEUED:
            transaction.on_commit(partial(run_calibration.delay, run.pk))
            messages.success(request, "Calibration run queued.")
        else:
            messages.info(request, f"This period already has a run ({run.get_status_display().lower()}).")
        return redirect(reverse("sensor-calibration", args=[sensor.pk]))


class AcceptRunView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(
            CalibrationRun.objects.visible_to(request.user).select_related("sensor"), pk=pk
        )
        if not is_agreement_admin(request.user):
            raise PermissionDenied("Only an agreement admin accepts calibration runs.")
        try:
            runs.accept(run, request.user)
        except runs.CalibrationRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Run accepted: its biases are the sensor's corrections.")
        return redirect(reverse("sensor-calibration", args=[run.sensor_id]))
