"""Keeps an agreement's history complete whichever way its sensors change, and when a data plan
entry goes: a cascade or a queryset delete never calls `delete()`. An entry's own saves are
kept by `DataPlanEntry.save`, as an agreement's are by `Agreement.save`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed, post_delete
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
        # Named while they are still there; the clear runs in the same transaction, so the row
        # stands or falls with it.
        names = [str(sensor) for sensor in instance.sensors.all()]
        if names:
            AgreementHistory.write(instance, HistoryKind.SENSORS, changes={"sensors": {"removed": names}})
    elif action in {"post_add", "post_remove"}:
        key = "added" if action == "post_add" else "removed"
        for agreement in agreements:
            names = [str(sensor) for sensor in sensors]
            if names:
                AgreementHistory.write(agreement, HistoryKind.SENSORS, changes={"sensors": {key: names}})


@receiver(post_delete, sender=DataPlanEntry)
def plan_entry_deleted(sender: Any, instance: DataPlanEntry, **kwargs: Any) -> None:
    agreement = Agreement.objects.filter(pk=instance.agreement_id).first()
    if agreement is not None:
        AgreementHistory.write(
            agreement, HistoryKind.DATA_PLAN, changes={"data_plan": {"removed": str(instance.sensor)}}
        )
