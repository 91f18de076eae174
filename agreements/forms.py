"""Forms of the agreement and sensor pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory

from agreements.choices import MEASUREMENT_UNITS, AgreementStatus, DataFormat, MeasurementType
from agreements.models import Agreement, DataPlanEntry, Sensor, SensorBias, SensorOutage
from agreements.models.agreements import sensor_problems
from portal.forms import ISODateInput, MarkingChangeFormMixin, MarkingFormField, UTCDateTimeInput
from portal.markings.marking import Marking


class AgreementForm(MarkingChangeFormMixin, forms.ModelForm):
    data_formats = forms.MultipleChoiceField(
        choices=DataFormat.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "kind",
            "partner",
            "sensors",
            "effective_from",
            "expires_on",
            "data_formats",
            "classification_ceiling",
            "default_releasability",
            "quick_turn_response",
            "routine_response",
            "delivery_timeliness",
            "staffing",
            "language",
            "communication_mode",
            "conops",
        ]
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
    fields=["sensor", "taskability", "deliveries_per_week", "timeliness", "notes"],
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
