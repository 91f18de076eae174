"""Table 1 as code: which agreement covers a sensor at a moment, and what that allows.

- A sensor-level agreement covers exactly the sensors it lists; the US tasks them directly.
- A SpOC-level agreement covers every sensor of the partner SpOC, including sensors registered
  after it was signed; the US requests, and the partner may deny.
- A sensor under both is governed by its sensor-level agreement.
- US SSN sensors need no agreement: `Coverage(agreement=None, direct_tasking=True)` with the
  SSN's own formats and response times below.
- An agreement covers only while ACTIVE and within [effective_from, expires_on) (UTC days).

Coverage is always asked *for a reader*: only the agreements `reader` may read take part
(`portal.references.readable`), so what a reader is told about a sensor (covered or not, by
what, its formats and response times, the deadline of a request) is derived from nothing they
may not read; an agreement they may not read is as absent as a missing one. The portal's own
work (a file loaded from the server's shell) asks as `SERVER`, which reads every agreement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agreements.choices import QUICK_TURN_PRIORITIES, AgreementKind, DataFormat, Priority
from agreements.models import Agreement, Sensor
from agreements.models.agreements import AgreementQuerySet
from portal.references import readable

SSN_FORMATS: tuple[str, ...] = (DataFormat.B3, DataFormat.UDL_JSON, DataFormat.TDM_KVN, DataFormat.TDM_XML)
SSN_QUICK_TURN = dt.timedelta(hours=1)
SSN_ROUTINE = dt.timedelta(hours=24)


class _Server:
    """The portal itself as a reader of agreements: every one takes part."""

    def __repr__(self) -> str:
        return "SERVER"


SERVER: Any = _Server()


def agreements_for(reader: Any) -> AgreementQuerySet:
    """The agreements that may decide anything told to `reader` (a user, or `SERVER`)."""
    if reader is SERVER:
        return Agreement.objects.all()
    return readable(Agreement, reader)  # type: ignore[return-value]


@dataclass(frozen=True)
class Coverage:
    agreement: Agreement | None
    direct_tasking: bool
    formats: tuple[str, ...]
    quick_turn_response: dt.timedelta
    routine_response: dt.timedelta

    @property
    def is_ssn(self) -> bool:
        return self.agreement is None

    def response_time(self, priority: Priority | str) -> dt.timedelta:
        quick = Priority(priority) in QUICK_TURN_PRIORITIES
        return self.quick_turn_response if quick else self.routine_response

    def response_deadline(self, priority: Priority | str, filed_at: dt.datetime) -> dt.datetime:
        """When an answer to a request of `priority` filed at `filed_at` is due."""
        return filed_at + self.response_time(priority)


def _ssn_coverage() -> Coverage:
    return Coverage(None, True, SSN_FORMATS, SSN_QUICK_TURN, SSN_ROUTINE)


def _agreement_coverage(agreement: Agreement) -> Coverage:
    return Coverage(
        agreement=agreement,
        direct_tasking=agreement.kind == AgreementKind.SENSOR_LEVEL,
        formats=tuple(agreement.data_formats),
        quick_turn_response=agreement.quick_turn_response,
        routine_response=agreement.routine_response,
    )


def _newest_first(agreement: Agreement) -> tuple[dt.date, int]:
    assert agreement.effective_from is not None
    return (agreement.effective_from, agreement.pk)


def coverage_for_many(
    sensors: Iterable[Sensor], at: dt.datetime, *, reader: Any
) -> dict[int, Coverage | None]:
    """Coverage of each sensor (by id) at `at` as `reader` may know it: from the agreements
    `reader` may read only. Two queries whatever the number of sensors."""
    sensors = list(sensors)
    result: dict[int, Coverage | None] = {}
    partner_sensors: list[Sensor] = []
    for sensor in sensors:
        if sensor.is_us_ssn:
            result[sensor.pk] = _ssn_coverage()
        else:
            result[sensor.pk] = None
            partner_sensors.append(sensor)
    if not partner_sensors:
        return result
    active = agreements_for(reader).active_at(at)
    links = Agreement.sensors.through.objects.filter(
        sensor_id__in=[sensor.pk for sensor in partner_sensors],
        agreement__in=active.filter(kind=AgreementKind.SENSOR_LEVEL),
    ).select_related("agreement")
    direct: dict[int, Agreement] = {}
    for link in links:
        current = direct.get(link.sensor_id)
        if current is None or _newest_first(link.agreement) > _newest_first(current):
            direct[link.sensor_id] = link.agreement
    spoc_level: dict[int, Agreement] = {}
    for agreement in active.filter(
        kind=AgreementKind.SPOC_LEVEL, partner_id__in={sensor.spoc_id for sensor in partner_sensors}
    ):
        current = spoc_level.get(agreement.partner_id)
        if current is None or _newest_first(agreement) > _newest_first(current):
            spoc_level[agreement.partner_id] = agreement
    for sensor in partner_sensors:
        agreement = direct.get(sensor.pk) or spoc_level.get(sensor.spoc_id)
        result[sensor.pk] = _agreement_coverage(agreement) if agreement is not None else None
    return result


def coverage_for(sensor: Sensor, at: dt.datetime, *, reader: Any) -> Coverage | None:
    """Which agreement `reader` may read covers `sensor` at `at`, and on what terms; None when
    none does."""
    return coverage_for_many([sensor], at, reader=reader)[sensor.pk]
