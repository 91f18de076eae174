"""Keeps an agreement's history complete whichever way its sensors or data plan change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from agreements.models import Agreement, AgreementHistory, DataPlanEntry, HistoryKind, Sensor
from agreements.models.agreements import sensor_problems


@receiver(m2m_changed, sender=Agreement.sensors.through)
def sensors_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if reverse:
        # Changed from the sensor's side: name each agreement touched.
        agreements = list(Agreement.objects.filter(pk__in=pk_set or ()))
        sensors = [instance]
    else:
        agreements = [instance]
        sensors = list(Sensor.objects.filter(pk__in=pk_set or ()))
    if action == "pre_add":
        for agreement in agreements:
            problem = sensor_problems(agreement.kind, agreement.partner_id, sensors)
            if problem:
                raise ValidationError({"sensors": problem})
    elif action == "pre_clear" and not reverse:
        instance._cleared_sensors = [str(sensor) for sensor in instance.sensors.all()]
    elif action in {"post_add", "post_remove"}:
        key = "added" if action == "post_add" else "removed"
        for agreement in agreements:
            names = [str(sensor) for sensor in sensors]
            if names:
                AgreementHistory.write(agreement, HistoryKind.SENSORS, changes={"sensors": {key: names}})
    elif action == "post_clear" and not reverse:
        names = getattr(instance, "_cleared_sensors", [])
        if names:
            AgreementHistory.write(instance, HistoryKind.SENSORS, changes={"sensors": {"removed": names}})


@receiver(pre_save, sender=DataPlanEntry)
def remember_plan_entry(sender: Any, instance: DataPlanEntry, **kwargs: Any) -> None:
    if instance.pk is not None:
        before = DataPlanEntry.objects.filter(pk=instance.pk).select_related("sensor").first()
        instance._before = before.describe() if before else None  # type: ignore[attr-defined]


@receiver(post_save, sender=DataPlanEntry)
def plan_entry_saved(
    sender: Any, instance: DataPlanEntry, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    now = instance.describe()
    before = getattr(instance, "_before", None)
    changes: dict[str, Any]
    if created or before is None:
        changes = {"data_plan": {"added": now}}
    else:
        diff = {key: [before[key], value] for key, value in now.items() if before.get(key) != value}
        if not diff:
            return
        changes = {"data_plan": {"sensor": now["sensor"], **diff}}
    AgreementHistory.write(instance.agreement, HistoryKind.DATA_PLAN, changes=changes)


@receiver(post_delete, sender=DataPlanEntry)
def plan_entry_deleted(sender: Any, instance: DataPlanEntry, **kwargs: Any) -> None:
    agreement = Agreement.objects.filter(pk=instance.agreement_id).first()
    if agreement is not None:
        AgreementHistory.write(
            agreement, HistoryKind.DATA_PLAN, changes={"data_plan": {"removed": str(instance.sensor)}}
        )
