"""Integration tiers (Levels 1-4) as data, and the evaluation of a sensor for one of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from agreements.choices import DataFormat, EvaluationStatus, MeasurementType, Mission
from agreements.evidence import runs_for
from agreements.models.sensors import INTEGRATION_LEVEL_CHOICES, Sensor
from portal import audit
from portal.errors import Conflict, DomainError, NotAllowed
from portal.markings.models import MarkedModel
from portal.models import Role
from portal.models.audit import AuditAction

EVALUATION_PERIOD = dt.timedelta(days=21)
LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


def validate_calibration_criteria(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError('Give criteria as {"measurement type": {"max_bias": x, "max_noise": y}}.')
    for key, limits in value.items():
        if key not in MeasurementType.values:
            raise ValidationError(f"Unknown measurement type {key!r}.")
        if not isinstance(limits, dict) or set(limits) != {"max_bias", "max_noise"}:
            raise ValidationError(f"{key}: give exactly max_bias and max_noise.")
        for name, number in limits.items():
            if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
                raise ValidationError(f"{key}.{name} must be a positive number.")


def _check_choice_list(value: Any, choices: type[models.TextChoices], what: str) -> None:
    if not isinstance(value, list):
        raise ValidationError(f"Give a list of {what}.")
    unknown = [item for item in value if item not in choices.values]
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(map(str, unknown))}.")


def validate_missions(value: Any) -> None:
    _check_choice_list(value, Mission, "missions")


def validate_formats(value: Any) -> None:
    _check_choice_list(value, DataFormat, "data formats")


def validate_field_names(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValidationError("Give a list of field names.")


class TierDefinition(models.Model):
    """What a partner sensor must show to be integrated at a level, and what its data may serve.

    Criteria units: range km, angles deg, range-rate km/s (see choices.MEASUREMENT_UNITS).
    """

    level = models.PositiveSmallIntegerField(
        unique=True, choices=INTEGRATION_LEVEL_CHOICES, validators=LEVEL_VALIDATORS
    )
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    calibration_criteria = models.JSONField(
        default=dict, blank=True, validators=[validate_calibration_criteria], help_text="Per measurement type"
    )
    max_delivery_latency = models.DurationField(null=True, blank=True)
    required_formats = models.JSONField(default=list, blank=True, validators=[validate_formats])
    required_fields = models.JSONField(default=list, blank=True, validators=[validate_field_names])
    admits_observation_ingest = models.BooleanField(default=True)
    missions = models.JSONField(
        default=list, blank=True, validators=[validate_missions], help_text="Fit for purpose"
    )

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"Level {self.level}: {self.name}"

    def clean(self) -> None:
        if self.level == 4 and self.admits_observation_ingest:
            raise ValidationError(
                {"admits_observation_ingest": "Level 4 shares information, not observations."}
            )
        if self.admits_observation_ingest and not self.calibration_criteria:
            raise ValidationError(
                {"calibration_criteria": "A level that ingests observations needs calibration criteria."}
            )

    def is_fit_for(self, mission: str) -> bool:
        return mission in self.missions


class EvaluationRefused(Conflict):
    """An evaluation decision the lifecycle does not allow from the present status."""


EVALUATION_TRANSITIONS: dict[str, frozenset[str]] = {
    EvaluationStatus.IN_EVALUATION: frozenset(
        {EvaluationStatus.PROMOTED, EvaluationStatus.DECLINED, EvaluationStatus.WITHDRAWN}
    ),
    EvaluationStatus.PROMOTED: frozenset(),
    EvaluationStatus.DECLINED: frozenset(),
    EvaluationStatus.WITHDRAWN: frozenset(),
}


def _require_admin(by: Any, what: str) -> None:
    if not getattr(by, "has_role", None) or not by.has_role(Role.AGREEMENT_ADMIN):
        raise NotAllowed(f"Only agreement admins {what}.")


class TierEvaluation(MarkedModel):
    """A sensor's evaluation period as a candidate for a level; carries the sensor's marking."""

    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, related_name="evaluations")
    candidate_level = models.PositiveSmallIntegerField(
        choices=INTEGRATION_LEVEL_CHOICES, validators=LEVEL_VALIDATORS
    )
    started_on = models.DateField(default=dt.date.today)
    expected_end = models.DateField(blank=True, help_text="Three weeks after the start unless set")
    status = models.CharField(
        max_length=14, choices=EvaluationStatus.choices, default=EvaluationStatus.IN_EVALUATION, db_index=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    calibration_runs = models.JSONField(
        default=list, blank=True, help_text="The calibration runs a promotion cites: ids and labels"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_end", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sensor"],
                condition=models.Q(status="in_evaluation"),
                name="one_open_evaluation_per_sensor",
            )
        ]

    def __str__(self) -> str:
        # Names itself only: its sensor may be hidden from a reader of the evaluation.
        return f"Evaluation {self.pk} for Level {self.candidate_level}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expected_end is None and self.started_on is not None:
            self.expected_end = self.started_on + EVALUATION_PERIOD
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.started_on and self.expected_end and self.expected_end <= self.started_on:
            raise ValidationError({"expected_end": "The evaluation ends after it starts."})

    def _cited_runs(self, by: Any, run_ids: Sequence[int]) -> list[dict[str, Any]]:
        tier = TierDefinition.objects.filter(level=self.candidate_level).first()
        if tier is None or not tier.calibration_criteria:
            return []
        evidence = {run.run_id: run for run in runs_for(self.sensor_id, by)}
        wanted = {int(pk) for pk in run_ids}
        cited = [evidence[pk] for pk in sorted(wanted) if pk in evidence]
        level = self.candidate_level
        if not cited or len(cited) != len(wanted) or any(level not in run.qualifies_for for run in cited):
            raise DomainError(
                f"A promotion to Level {level} cites the calibration runs behind it: finished runs of "
                f"the sensor, each qualifying it for Level {level}.",
                field="calibration_runs",
            )
        return [{"id": run.run_id, "label": run.label} for run in cited]

    def days_left(self, today: dt.date | None = None) -> int:
        today = today or timezone.now().date()
        return (self.expected_end - today).days

    @classmethod
    def start(
        cls, sensor: Sensor, level: int, by: Any, *, started_on: dt.date | None = None, reason: str = ""
    ) -> TierEvaluation:
        _require_admin(by, "put sensors into evaluation")
        if sensor.is_us_ssn:
            raise DomainError("A US SSN sensor is not evaluated for a partner tier.", field="sensor")
        if level not in range(1, 5):
            raise DomainError("The candidate level is 1 to 4.", field="candidate_level")
        if sensor.integration_level == level:
            raise DomainError(f"The sensor is already at Level {level}.", field="candidate_level")
        if cls.objects.filter(sensor=sensor, status=EvaluationStatus.IN_EVALUATION).exists():
            raise Conflict("The sensor is already in evaluation.", field="sensor")
        with transaction.atomic():
            evaluation = cls(sensor=sensor, candidate_level=level, started_by=by)
            if started_on is not None:
                evaluation.started_on = started_on
            evaluation.marking = sensor.marking
            evaluation.save()
            EvaluationHistory.write(evaluation, "", EvaluationStatus.IN_EVALUATION, reason, by)
        return evaluation

    def decide(self, to: str, by: Any, reason: str, calibration_runs: Sequence[int] = ()) -> None:
        """Promote, decline or withdraw; a promotion sets the sensor's integration level.

        A promotion to a level with calibration criteria cites the calibration runs behind it:
        finished runs of the sensor, readable by the admin, each qualifying it for the level."""
        _require_admin(by, "decide evaluations")
        if to not in EVALUATION_TRANSITIONS.get(self.status, frozenset()):
            raise EvaluationRefused(
                f"An evaluation cannot go from {EvaluationStatus(self.status).label} to {to}.", field="to"
            )
        if not reason.strip():
            raise DomainError("Give a reason for the decision.", field="reason")
        cited = self._cited_runs(by, calibration_runs) if to == EvaluationStatus.PROMOTED else []
        old = self.status
        now = timezone.now()
        with transaction.atomic():
            moved = TierEvaluation.objects.filter(pk=self.pk, status=old).update(
                status=to, decided_by=by, decided_at=now, reason=reason, calibration_runs=cited
            )
            if moved != 1:
                raise Conflict("The evaluation was decided meanwhile; reload it.", field="to")
            self.status, self.decided_by, self.decided_at, self.reason = to, by, now, reason
            self.calibration_runs = cited
            audit.record(AuditAction.UPDATE, self, detail={"status": [old, to], "reason": reason})
            EvaluationHistory.write(self, old, to, reason, by)
            if to == EvaluationStatus.PROMOTED:
                sensor = Sensor.objects.select_for_update().get(pk=self.sensor_id)
                previous = sensor.integration_level
                sensor.integration_level = self.candidate_level
                sensor.save(update_fields=["integration_level", "updated"])
                audit.record(
                    AuditAction.UPDATE,
                    sensor,
                    detail={"integration_level": [previous, self.candidate_level], "evaluation": self.pk},
                )
                self.sensor = sensor


class EvaluationHistory(models.Model):
    # Read through its evaluation: see portal.references.
    read_through = "evaluation"

    evaluation = models.ForeignKey(TierEvaluation, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    from_status = models.CharField(max_length=14, choices=EvaluationStatus.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=EvaluationStatus.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "evaluation history"

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.from_status} -> {self.to_status}"

    @classmethod
    def write(cls, evaluation: TierEvaluation, old: str, new: str, reason: str, by: Any) -> EvaluationHistory:
        user = by if getattr(by, "is_authenticated", False) else None
        return cls.objects.create(
            evaluation=evaluation,
            actor=user,
            actor_name=user.get_username() if user else audit.current_actor().name,
            from_status=old,
            to_status=new,
            reason=reason,
        )
