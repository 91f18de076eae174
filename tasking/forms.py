"""Forms of the tasking pages: filing a request, answering it, writing a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from agreements.choices import SensorType
from agreements.models import Sensor
from catalog.models import SpaceObject
from portal.forms import MarkingFormField, UTCDateTimeInput, UTCISODateTimeInput, WholeNumberField
from portal.markings.marking import Marking
from portal.models import SpOC
from tasking.choices import FailureReason, ObservationType, Priority, Purpose, RejectReason, Tier
from tasking.models import CoalitionOperation
from tasking.services.filing import Filing
from tasking.services.filing_help import default_markings

DATETIME_INPUT = UTCDateTimeInput()
FILING_TIME_INPUT = UTCISODateTimeInput()

# One priority vocabulary per request: precedence words or SSN categories, never a mix on screen.
PRECEDENCE = "precedence"
SSN_CATEGORY = "ssn"
PRIORITY_VOCABULARIES = [
    (PRECEDENCE, "Precedence (EMERGENCY … ROUTINE)"),
    (SSN_CATEGORY, "SSN category (1 … 5)"),
]
VOCABULARY_NOUNS = {PRECEDENCE: "a precedence word", SSN_CATEGORY: "an SSN category"}
PRIORITY_GROUPS = {
    PRECEDENCE: [(p.value, p.label) for p in Priority if not p.value.startswith("cat")],
    SSN_CATEGORY: [(p.value, p.label) for p in Priority if p.value.startswith("cat")],
}
TIER_CHOICES = [
    (Tier.LEVEL_1, "Level 1 only (strictest: SSN-like sensors)"),
    (Tier.LEVEL_2, "Level 2 or closer"),
    (Tier.LEVEL_3, "Level 3 or closer"),
    (Tier.LEVEL_4, "Level 4 or closer (loosest: any integrated sensor)"),
]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # The form speaks UTC, whatever the browser's zone.
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


class RequestForm(forms.Form):
    title = forms.CharField(max_length=200)
    spoc = forms.ModelChoiceField(
        SpOC.objects.none(), required=False, label="Partner SpOC (request)", help_text="Or choose one sensor"
    )
    sensor = forms.ModelChoiceField(
        Sensor.objects.none(),
        required=False,
        label="Sensor (direct tasking)",
        help_text="Sensor-level agreements",
    )
    targets = forms.CharField(
        label="Target catalog numbers",
        help_text="Comma-separated, e.g. 25544, 48274; or search the catalog below",
    )
    window_start = forms.DateTimeField(
        label="Window start (UTC)",
        widget=FILING_TIME_INPUT,
        help_text="ISO 8601 in UTC, e.g. 2026-12-01T18:00Z",
    )
    window_end = forms.DateTimeField(label="Window end (UTC)", widget=FILING_TIME_INPUT)
    priority_vocabulary = forms.ChoiceField(
        choices=PRIORITY_VOCABULARIES,
        initial=PRECEDENCE,
        widget=forms.RadioSelect,
        label="Priority in",
        required=False,  # a post without it names its priority in either vocabulary
    )
    priority = forms.ChoiceField(
        choices=[
            ("Precedence", PRIORITY_GROUPS[PRECEDENCE]),
            ("SSN category", PRIORITY_GROUPS[SSN_CATEGORY]),
        ],
        initial=Priority.ROUTINE,
    )
    purpose = forms.ChoiceField(choices=Purpose.choices)
    observation_type = forms.ChoiceField(choices=ObservationType.choices, initial=ObservationType.ANY_METRIC)
    tracks_wanted = forms.IntegerField(min_value=1, max_value=1000, initial=1)
    observations_wanted = forms.IntegerField(min_value=1, max_value=100000, initial=10)
    minimum_tier = forms.TypedChoiceField(
        choices=TIER_CHOICES,
        coerce=int,
        initial=Tier.LEVEL_3,
        label="Sensors accepted (integration tier)",
        help_text=(
            "Level 1 is the strictest (SSN-like calibration); each higher level also accepts the closer ones."
        ),
    )
    operation = forms.ModelChoiceField(CoalitionOperation.objects.none(), required=False)
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["spoc"].queryset = SpOC.objects.exclude(nation_id="USA")  # type: ignore[attr-defined]
        self.fields["sensor"].queryset = (  # type: ignore[attr-defined]
            Sensor.objects.visible_to(user).filter(is_us_ssn=False).select_related("spoc")
        )
        self.fields["operation"].queryset = CoalitionOperation.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["marking"] = MarkingFormField(
            user=user,
            required=False,
            help_text="Left empty: the agreement's marking for shared data, e.g. CUI//REL TO USA, GBR",
        )
        # The marking the form fills in when a SpOC (or a sensor, by its SpOC) is chosen.
        by_spoc = default_markings(user, timezone.now())
        self.default_markings = {
            "spoc": by_spoc,
            "sensor": {
                str(s.pk): by_spoc[str(s.spoc_id)]
                for s in self.fields["sensor"].queryset  # type: ignore[attr-defined]
                if str(s.spoc_id) in by_spoc
            },
        }

    def clean_targets(self) -> list[SpaceObject]:
        numbers: list[int] = []
        for part in self.cleaned_data["targets"].replace(";", ",").split(","):
            if part.strip():
                try:
                    numbers.append(int(part.strip()))
                except ValueError:
                    raise forms.ValidationError(f"{part.strip()!r} is not a catalog number.") from None
        found = {
            o.catalog_number: o
            for o in SpaceObject.objects.visible_to(self.user).filter(catalog_number__in=numbers)
        }
        missing = [str(n) for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"Unknown catalog number(s): {', '.join(missing)}.")
        if not numbers:
            raise forms.ValidationError("Name at least one target.")
        return [found[n] for n in numbers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("spoc")) == bool(data.get("sensor")):
            raise forms.ValidationError(
                "Choose a partner SpOC or one sensor (for a direct tasking), not both."
            )
        vocabulary, priority = data.get("priority_vocabulary"), data.get("priority")
        if vocabulary and priority and priority not in dict(PRIORITY_GROUPS[vocabulary]):
            self.add_error(
                "priority",
                f"{Priority(priority).label} is not {VOCABULARY_NOUNS[vocabulary]}: choose one, "
                "or switch the priority vocabulary.",
            )
        if data.get("marking") is None and "marking" not in self.errors:
            data["marking"] = self._default_marking(data)
        return data

    def _default_marking(self, data: dict[str, Any]) -> Marking | None:
        spoc = data.get("spoc") or getattr(data.get("sensor"), "spoc", None)
        banner = self.default_markings["spoc"].get(str(spoc.pk)) if spoc is not None else None
        if banner is None:
            self.add_error("marking", "Give the request a marking (no agreement offers a default).")
            return None
        return Marking.parse(banner)

    def filing(self) -> Filing:
        data = self.cleaned_data
        start, end = _utc(data["window_start"]), _utc(data["window_end"])
        assert start is not None and end is not None
        return Filing(
            title=data["title"],
            targets=data["targets"],
            windows=[(start, end)],
            priority=data["priority"],
            purpose=data["purpose"],
            marking=data["marking"],
            spoc=data.get("spoc"),
            sensor=data.get("sensor"),
            observation_type=data["observation_type"],
            tracks_wanted=data["tracks_wanted"],
            observations_wanted=data["observations_wanted"],
            minimum_tier=data["minimum_tier"],
            instructions=data.get("instructions", ""),
            operation=data.get("operation"),
        )


class AnswerForm(forms.Form):
    """Details of an answer; which are required depends on the action (checked by the service)."""

    reason_code = forms.CharField(required=False)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    proposed_start = forms.DateTimeField(required=False, widget=DATETIME_INPUT)
    proposed_end = forms.DateTimeField(required=False, widget=DATETIME_INPUT)

    def window(self) -> tuple[dt.datetime, dt.datetime] | None:
        start, end = (
            _utc(self.cleaned_data.get("proposed_start")),
            _utc(self.cleaned_data.get("proposed_end")),
        )
        return (start, end) if start is not None and end is not None else None


REJECT_CHOICES = RejectReason.choices
FAIL_CHOICES = FailureReason.choices


class MessageForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)

    def __init__(self, *args: Any, user: Any, initial_marking: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"] = MarkingFormField(user=user, initial=initial_marking)


class WhatIfForm(forms.Form):
    """A proposed sensor, in the portal's units (degrees, km)."""

    latitude_deg = forms.FloatField(label="Latitude (deg)", min_value=-90, max_value=90)
    longitude_deg = forms.FloatField(label="Longitude (deg east)", min_value=-180, max_value=360)
    altitude_km = forms.FloatField(label="Altitude (km)", min_value=-0.5, max_value=10, initial=0.1)
    sensor_type = forms.ChoiceField(label="Type", choices=SensorType.choices)
    min_elevation_deg = forms.FloatField(
        label="Minimum elevation (deg)", min_value=0, max_value=89.9, initial=5
    )
    tracks_per_hour = forms.IntegerField(label="Tracks per hour", min_value=1, max_value=3600, initial=30)
    max_range_km = forms.FloatField(label="Maximum range (km)", min_value=1, required=False)


METRICS_MONTHS = 24  # the most the metrics look back (tasking.services.metrics keeps to it too)
DEFAULT_METRICS_MONTHS = 6
MONTHS_MESSAGE = f"A whole number of months from 1 to {METRICS_MONTHS}."


class MetricsParamsForm(forms.Form):
    """The query of the partner metrics, read alike by the page and the API: `months` to date
    (blank: DEFAULT_METRICS_MONTHS) and the `spoc` code (blank: every SpOC)."""

    months = WholeNumberField(low=1, high=METRICS_MONTHS, message=MONTHS_MESSAGE, required=False)
    spoc = forms.CharField(required=False, strip=False)

    def clean_months(self) -> int:
        return self.cleaned_data["months"] or DEFAULT_METRICS_MONTHS

    def clean_spoc(self) -> str | None:
        return self.cleaned_data["spoc"] or None

    def messages(self) -> dict[str, list[str]]:
        """What is wrong, by parameter."""
        return {name: [str(message) for message in errors] for name, errors in self.errors.items()}

    def errors_text(self) -> str:
        return "; ".join(f"{name}: {' '.join(texts)}" for name, texts in self.messages().items())
