from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory

from agreements.choices import AgreementStatus, DataFormat
from agreements.models import Agreement, DataPlanEntry, Sensor
from agreements.models.agreements import sensor_problems
from portal.forms import MarkingFormField


class AgreementForm(forms.ModelForm):
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
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "conops": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sensors: Any = self.fields["sensors"]
        sensors.queryset = Sensor.objects.visible_to(user).filter(is_us_ssn=False).select_related("spoc")
        sensors.help_text = "Sensor-level agreements only: sensors of the partner SpOC."
        for name in ("quick_turn_response", "routine_response", "delivery_timeliness"):
            self.fields[name].help_text = "HH:MM:SS, or e.g. '2 00:00:00' for two days"
        self.fields["marking"] = MarkingFormField(user=user)
        if self.instance.pk:
            self.initial["marking"] = self.instance.marking

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        partner = data.get("partner")
        problem = sensor_problems(
            data.get("kind", ""), partner.pk if partner else None, data.get("sensors") or []
        )
        if problem:
            self.add_error("sensors", problem)
        return data

    def _post_clean(self) -> None:
        # The marking is part of the record the model validates (ceiling, releasability rules).
        marking = self.cleaned_data.get("marking")
        if marking is not None:
            self.instance.marking = marking
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
    started_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sensor: Any = self.fields["sensor"]
        sensor.queryset = Sensor.objects.visible_to(user).filter(is_us_ssn=False).select_related("spoc")
