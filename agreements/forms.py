"""Forms of the agreement and sensor pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import inlineformset_factory

from agreements.choices import MEASUREMENT_UNITS, AgreementStatus, DataFormat, MeasurementType, Mission
from agreements.models import (
    AGREEMENT_EDITABLE_FIELDS,
    DATA_PLAN_FIELDS,
    Agreement,
    DataPlanEntry,
    Sensor,
    SensorBias,
    SensorOutage,
    TierDefinition,
)
from agreements.models.agreements import sensor_problems
from portal.forms import ISODateInput, MarkingChangeFormMixin, MarkingFormField, UTCDateTimeInput
from portal.markings.marking import Marking


class AgreementForm(MarkingChangeFormMixin, forms.ModelForm):
    data_formats = forms.MultipleChoiceField(
        choices=DataFormat.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Agreement
        fields = AGREEMENT_EDITABLE_FIELDS
        widgets = {
            "effective_from": ISODateInput(),
            "expires_on": ISODateInput(),
            "conops": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sensors: Any = self.fields["sensors"]
        sensors.queryset = Sensor.objects.visible_to(user).filter(is_us_ssn=False).select_related("spoc")
        sensors.help_text = "Sensor-level agreements only: sensors of the partner SpOC."
        for name in ("quick_turn_response", "routine_response", "delivery_timeliness"):
            self.fields[name].help_text = "HH:MM:SS, or e.g. '2 00:00:00' for two days"
        self.add_marking_field(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        partner = data.get("partner")
        problem = sensor_problems(
            data.get("kind", ""), partner.pk if partner else None, data.get("sensors") or []
        )
        if problem:
            self.add_error("sensors", problem)
        elif "sensors" in data:
            self.instance.expect_sensors(data["sensors"])
        return data

    def _post_clean(self) -> None:
        # The marking is part of the record the model validates (ceiling, releasability rules).
        self.apply_marking()
        super()._post_clean()  # type: ignore[misc]


DataPlanFormSet: Any = inlineformset_factory(
    Agreement,
    DataPlanEntry,
    fields=DATA_PLAN_FIELDS,
    extra=2,
    can_delete=True,
)


def data_plan_formset(user: Any, **kwargs: Any) -> Any:
    formset = DataPlanFormSet(**kwargs)
    visible = Sensor.objects.visible_to(user).filter(is_us_ssn=False)
    for form in formset.forms:
        form.fields["sensor"].queryset = visible
    formset.empty_form.fields["sensor"].queryset = visible
    return formset


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="New status", choices=AgreementStatus.choices)
    reason = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 50}))


class DecisionForm(forms.Form):
    reason = forms.CharField(widget=forms.TextInput(attrs={"size": 50}))


class StartEvaluationForm(forms.Form):
    sensor = forms.ModelChoiceField(queryset=Sensor.objects.none())
    candidate_level = forms.TypedChoiceField(coerce=int, choices=[(n, f"Level {n}") for n in range(1, 5)])
    started_on = forms.DateField(required=False, widget=ISODateInput())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sensor: Any = self.fields["sensor"]
        sensor.queryset = Sensor.objects.visible_to(user).filter(is_us_ssn=False).select_related("spoc")


class OutageForm(forms.ModelForm):
    """An outage of one sensor, entered from its page."""

    class Meta:
        model = SensorOutage
        fields = ["start", "end", "reason"]
        labels = {"start": "Start (UTC)", "end": "End (UTC)"}
        widgets = {
            "start": UTCDateTimeInput(),
            "end": UTCDateTimeInput(),
            "reason": forms.TextInput(attrs={"size": 40, "placeholder": "e.g. planned maintenance"}),
        }

    def __init__(self, *args: Any, sensor: Sensor, user: Any, **kwargs: Any) -> None:
        kwargs["instance"] = SensorOutage(sensor=sensor, entered_by=user)
        kwargs["prefix"] = "outage"
        super().__init__(*args, **kwargs)
        self.fields["end"].help_text = "Leave empty while the outage lasts."


class StatementForm(forms.ModelForm):
    """What the sensor's delivered data already account for (set by an agreement admin)."""

    class Meta:
        model = Sensor
        fields = ["refraction_corrected", "star_referenced"]

    def __init__(self, *args: Any, sensor: Sensor, user: Any, **kwargs: Any) -> None:
        kwargs["instance"] = sensor
        kwargs["prefix"] = "statement"
        super().__init__(*args, **kwargs)
        if sensor.sensor_type != "optical_telescope":
            del self.fields["star_referenced"]


class BiasForm(forms.ModelForm):
    """A bias and noise figure entered by hand for one of the sensor's measurement types."""

    class Meta:
        model = SensorBias
        fields = ["measurement_type", "bias", "noise_sigma", "effective_date", "source"]
        labels = {"noise_sigma": "Noise (1 sigma)"}
        widgets = {
            "effective_date": ISODateInput(),
            "source": forms.TextInput(attrs={"size": 40, "placeholder": "e.g. calibration campaign report"}),
        }

    def __init__(self, *args: Any, sensor: Sensor, user: Any, **kwargs: Any) -> None:
        kwargs["instance"] = SensorBias(sensor=sensor, entered_by=user)
        kwargs["prefix"] = "bias"
        super().__init__(*args, **kwargs)
        self.sensor = sensor
        measurement: Any = self.fields["measurement_type"]
        measurement.choices = [
            (value, f"{label} ({MEASUREMENT_UNITS[value]})")
            for value, label in MeasurementType.choices
            if value in (sensor.measurement_types or [])
        ]
        units = "in the measurement's units (range km, angles deg, range-rate km/s)"
        self.fields["bias"].help_text = f"Observed minus truth, {units}."
        self.fields["noise_sigma"].help_text = f"One standard deviation, {units}."
        self.fields["marking"] = MarkingFormField(
            user=user,
            help_text="Never less restricted than the sensor: the sensor's marking is added to it.",
        )
        self.initial.setdefault("marking", sensor.marking)

    def _post_clean(self) -> None:
        marking: Marking | None = self.cleaned_data.get("marking")
        if marking is not None:
            self.instance.marking = Marking.combine(self.sensor.marking, marking)
        super()._post_clean()  # type: ignore[misc]


class TierForm(forms.ModelForm):
    """An integration tier's definition as the agreement admin edits it in the browser: its
    calibration criteria as a max bias and max noise per measurement type (in the units the
    page names), formats and missions as choices, required fields as a list."""

    required_formats = forms.MultipleChoiceField(
        choices=DataFormat.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    missions = forms.MultipleChoiceField(
        choices=Mission.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    required_fields = forms.CharField(
        required=False, help_text="Field names, separated by commas", label="Required fields"
    )

    class Meta:
        model = TierDefinition
        fields = [
            "name",
            "description",
            "max_delivery_latency",
            "required_formats",
            "required_fields",
            "admits_observation_ingest",
            "missions",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["max_delivery_latency"].help_text = "HH:MM:SS, or e.g. '2 00:00:00' for two days"
        criteria = self.instance.calibration_criteria or {}
        for measurement, label in MeasurementType.choices:
            units = MEASUREMENT_UNITS[measurement]
            limits = criteria.get(measurement, {})
            for limit, what in (("max_bias", "max bias"), ("max_noise", "max noise")):
                self.fields[f"{measurement}__{limit}"] = forms.FloatField(
                    required=False,
                    min_value=0,
                    label=f"{label}: {what} ({units})",
                    initial=limits.get(limit),
                )
        if self.instance.pk:
            self.initial["required_fields"] = ", ".join(self.instance.required_fields or [])

    def clean_required_fields(self) -> list[str]:
        text = self.cleaned_data.get("required_fields") or ""
        return [name.strip() for name in text.split(",") if name.strip()]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        criteria: dict[str, dict[str, float]] = {}
        for measurement, _ in MeasurementType.choices:
            bias = data.get(f"{measurement}__max_bias")
            noise = data.get(f"{measurement}__max_noise")
            if bias is None and noise is None:
                continue
            if bias is None or noise is None or bias <= 0 or noise <= 0:
                self.add_error(
                    f"{measurement}__max_bias" if not bias else f"{measurement}__max_noise",
                    "Give both a max bias and a max noise above zero, or neither.",
                )
                continue
            criteria[measurement] = {"max_bias": bias, "max_noise": noise}
        # Set before the model's own validation (a level that ingests needs criteria).
        self.instance.calibration_criteria = criteria
        return data

    def _update_errors(self, errors: ValidationError) -> None:
        # The model names `calibration_criteria`, which this form edits as one field per limit.
        if hasattr(errors, "error_dict") and "calibration_criteria" in errors.error_dict:
            moved = dict(errors.error_dict)
            moved[NON_FIELD_ERRORS] = [*moved.get(NON_FIELD_ERRORS, []), *moved.pop("calibration_criteria")]
            errors = ValidationError(moved)
        super()._update_errors(errors)  # type: ignore[misc]
