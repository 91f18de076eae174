"""Agreements with partner SpOCs (Table 1 kinds), their lifecycle, data plan and history."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from agreements.choices import AgreementKind, AgreementStatus, DataFormat, HistoryKind, Taskability
from portal import audit
from portal.errors import Conflict, DomainError, NotAllowed
from portal.markings.marking import Level, Marking, MarkingError
from portal.markings.models import LEVEL_CHOICES, MarkedManager, MarkedModel, MarkedQuerySet
from portal.models import Role
from portal.models.accounts import CommunicationMode
from portal.models.audit import AuditAction
from portal.ownership import OwnershipRule


class TransitionRefused(Conflict):
    """A status change the agreement lifecycle does not allow from the present status."""


# The whole lifecycle: any change of status not listed here is refused.
AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.IN_NEGOTIATION, AgreementStatus.TERMINATED}),
    AgreementStatus.IN_NEGOTIATION: frozenset(
        {AgreementStatus.DRAFT, AgreementStatus.ACTIVE, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.ACTIVE: frozenset(
        {AgreementStatus.SUSPENDED, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.SUSPENDED: frozenset(
        {AgreementStatus.ACTIVE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.EXPIRED: frozenset(),
    AgreementStatus.TERMINATED: frozenset(),
}


def path_from_draft(status: str) -> list[str]:
    """The statuses a new (draft) agreement passes through, in order, to reach `status` by the
    fewest transitions the lifecycle allows (empty for a draft)."""
    paths: dict[str, list[str]] = {AgreementStatus.DRAFT: []}
    frontier = [str(AgreementStatus.DRAFT)]
    while frontier and status not in paths:
        reached = []
        for current in frontier:
            for step in sorted(AGREEMENT_TRANSITIONS[current]):
                if step not in paths:
                    paths[step] = [*paths[current], step]
                    reached.append(step)
        frontier = reached
    if status not in paths:
        raise ValueError(f"no agreement reaches {status!r} from a draft")
    return paths[status]


REASON_REQUIRED = frozenset({AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED})
EXPIRY_REASON = "expiry date passed"


class SystemActor:
    """The portal itself applying a rule of the agreement (its expiry date), not a person."""

    is_authenticated = False

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()
# What the portal may do on its own: nothing that needs a person's judgement.
SYSTEM_TRANSITIONS = frozenset({AgreementStatus.EXPIRED})


def validate_data_formats(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError("Give a list of data formats.")
    unknown = [item for item in value if item not in DataFormat.values]
    if unknown:
        raise ValidationError(
            f"Unknown data format(s): {', '.join(map(str, unknown))}; "
            f"expected some of {', '.join(DataFormat.values)}."
        )


def validate_marking_text(value: str) -> None:
    try:
        Marking.parse(value)
    except MarkingError as exc:
        raise ValidationError(str(exc)) from exc


def day_of(at: dt.datetime | dt.date) -> dt.date:
    """The UTC calendar day of a moment; agreements take effect and expire at 00:00 UTC."""
    if isinstance(at, dt.datetime):
        if timezone.is_naive(at):
            raise ValueError("an aware datetime is required")
        return at.astimezone(dt.UTC).date()
    return at


def sensor_problems(kind: str, partner_id: int | None, sensors: Iterable[Any]) -> str | None:
    """Why this list of sensors cannot be on an agreement of `kind` with `partner_id`, or None."""
    sensors = list(sensors)
    if kind == AgreementKind.SPOC_LEVEL and sensors:
        return "A SpOC-level agreement covers all the partner's sensors; it lists none."
    foreign = [str(sensor) for sensor in sensors if sensor.spoc_id != partner_id]
    if foreign:
        return f"Not sensors of the partner SpOC: {', '.join(foreign)}."
    return None


# The terms of an agreement its editors set, in the order the edit page, the admin and the API
# show them. The status is not one: it changes only through `Agreement.transition`.
AGREEMENT_EDITABLE_FIELDS: tuple[str, ...] = (
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
)


class AgreementQuerySet(MarkedQuerySet):
    def active_at(self, at: dt.datetime | dt.date) -> Self:
        day = day_of(at)
        return self.filter(status=AgreementStatus.ACTIVE, effective_from__lte=day).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=day)
        )


class AgreementManager(MarkedManager.from_queryset(AgreementQuerySet)):  # type: ignore[misc]
    pass


class Agreement(MarkedModel):
    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        None, owner_may_edit=False, managed_by=frozenset({Role.AGREEMENT_ADMIN}), why="the partner is a party"
    )

    # What a change is written in the history for: the status and every edited term but the
    # sensors, whose changes agreements.signals writes.
    TRACKED_FIELDS: ClassVar[tuple[str, ...]] = (
        "status",
        *(name for name in AGREEMENT_EDITABLE_FIELDS if name != "sensors"),
    )

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=AgreementKind.choices)
    partner = models.ForeignKey("portal.SpOC", on_delete=models.PROTECT, related_name="agreements")
    sensors = models.ManyToManyField(
        "agreements.Sensor", blank=True, related_name="agreements", help_text="Sensor-level agreements only"
    )
    status = models.CharField(
        max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, db_index=True
    )
    effective_from = models.DateField(null=True, blank=True, help_text="00:00 UTC of this day")
    expires_on = models.DateField(null=True, blank=True, help_text="No longer in force from 00:00 UTC")
    data_formats = models.JSONField(default=list, blank=True, validators=[validate_data_formats])
    classification_ceiling = models.PositiveSmallIntegerField(
        choices=LEVEL_CHOICES, default=Level.SECRET, help_text="Highest level of data shared under it"
    )
    default_releasability = models.CharField(
        max_length=200,
        validators=[validate_marking_text],
        help_text='Marking given to shared data, e.g. "CUI//REL TO USA, GBR"',
    )
    quick_turn_response = models.DurationField(default=dt.timedelta(hours=4))
    routine_response = models.DurationField(default=dt.timedelta(hours=72))
    delivery_timeliness = models.DurationField(
        default=dt.timedelta(hours=1), help_text="From collection to delivery of observations"
    )
    staffing = models.CharField(max_length=200, blank=True, help_text="Defaults from the partner SpOC")
    language = models.CharField(max_length=60, blank=True, help_text="Defaults from the partner SpOC")
    communication_mode = models.CharField(
        max_length=5,
        choices=CommunicationMode.choices,
        blank=True,
        help_text="Defaults from the partner SpOC",
    )
    conops = models.TextField("CONOPS", blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = AgreementManager()  # type: ignore[misc]

    class Meta:
        ordering = ["partner__code", "-effective_from", "id"]

    def __str__(self) -> str:
        return self.title

    # -- change tracking ----------------------------------------------------------------------

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._loaded = instance._snapshot()
        return instance

    def _snapshot(self) -> dict[str, Any]:
        shot: dict[str, Any] = {}
        for name in self.TRACKED_FIELDS:
            field: Any = self._meta.get_field(name)
            if field.attname in self.__dict__:
                shot[name] = copy.deepcopy(field.value_to_string(self))
        if self.classification_level is not None and self.rel_mask is not None:
            shot["marking"] = self.marking.banner
        return shot

    def pending_changes(self) -> dict[str, list[Any]]:
        loaded: dict[str, Any] = getattr(self, "_loaded", {})
        now = self._snapshot()
        return {
            key: [loaded[key], value] for key, value in now.items() if key in loaded and loaded[key] != value
        }

    # -- rules --------------------------------------------------------------------------------

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.effective_from and self.expires_on and self.expires_on <= self.effective_from:
            errors["expires_on"] = "An agreement expires after it takes effect."
        if (
            self.quick_turn_response
            and self.routine_response
            and self.quick_turn_response > self.routine_response
        ):
            errors["quick_turn_response"] = "Quick-turn response cannot be slower than routine."
        if self.default_releasability:
            try:
                shared = Marking.parse(self.default_releasability)
            except MarkingError as exc:
                errors["default_releasability"] = str(exc)
            else:
                if shared.level > self.classification_ceiling:
                    errors["default_releasability"] = (
                        f"{shared.banner} is above the agreement's ceiling, "
                        f"{Level(self.classification_ceiling).banner}."
                    )
                elif self.partner_id is not None and not self.partner.is_us:
                    nation = self.partner.nation_id
                    if nation not in shared.rel_to or shared.noforn:
                        errors["default_releasability"] = (
                            f"Data shared with the partner must be releasable to {nation}."
                        )
        if errors:
            raise ValidationError(errors)

    @property
    def ceiling(self) -> Level:
        return Level(self.classification_ceiling)

    @property
    def shared_data_marking(self) -> Marking:
        return Marking.parse(self.default_releasability)

    @property
    def direct_tasking(self) -> bool:
        return self.kind == AgreementKind.SENSOR_LEVEL

    def expect_sensors(self, sensors: Iterable[Any]) -> None:
        """Name the sensors a form is about to list, before it saves them (the data plan
        rows of the same submit are checked against these, not the stored ones)."""
        self._expected_sensor_ids = {sensor.pk for sensor in sensors}

    def listed_sensor_ids(self) -> set[int]:
        expected: set[int] | None = getattr(self, "_expected_sensor_ids", None)
        if expected is not None:
            return expected
        if self.pk is None:
            return set()
        return set(self.sensors.values_list("pk", flat=True))

    def allowed_transitions(self) -> list[str]:
        return [s for s in AgreementStatus.values if s in AGREEMENT_TRANSITIONS[self.status]]

    def covers_day(self, at: dt.datetime | dt.date) -> bool:
        day = day_of(at)
        return (
            self.status == AgreementStatus.ACTIVE
            and self.effective_from is not None
            and self.effective_from <= day
            and (self.expires_on is None or day < self.expires_on)
        )

    def _apply_spoc_defaults(self) -> None:
        if self.partner_id is None:
            return
        spoc = self.partner
        if not self.staffing:
            if spoc.staffed_24x7:
                self.staffing = f"24/7 ({spoc.time_zone})"
            elif spoc.staffed_from and spoc.staffed_until:
                self.staffing = (
                    f"{spoc.staffed_from:%H:%M}-{spoc.staffed_until:%H:%M} {spoc.time_zone}, "
                    f"ISO weekdays {spoc.staffed_weekdays}"
                )
        if not self.language:
            self.language = spoc.languages
        if not self.communication_mode:
            self.communication_mode = spoc.preferred_communication

    def save(self, *args: Any, **kwargs: Any) -> None:
        adding = self._state.adding
        if adding and self.status != AgreementStatus.DRAFT:
            raise TransitionRefused("A new agreement starts as a draft.", field="status")
        self._apply_spoc_defaults()
        changes = {} if adding else self.pending_changes()
        if "status" in changes:
            raise TransitionRefused("Change an agreement's status through its transitions.", field="status")
        super().save(*args, **kwargs)
        if adding:
            AgreementHistory.write(self, HistoryKind.CREATED, to_status=self.status)
        elif changes:
            AgreementHistory.write(self, HistoryKind.CHANGED, changes=changes)
        self._loaded = self._snapshot()

    # -- the lifecycle ------------------------------------------------------------------------

    def transition(self, to: str, by: Any, reason: str = "") -> None:
        """Move to status `to`, if the lifecycle allows it and `by` is an agreement admin
        (or SYSTEM, for the changes the portal makes by itself)."""
        if by is SYSTEM:
            if to not in SYSTEM_TRANSITIONS:
                raise NotAllowed("The portal changes an agreement's status only when it expires.")
        elif not getattr(by, "has_role", None) or not by.has_role(Role.AGREEMENT_ADMIN):
            raise NotAllowed("Only agreement admins change an agreement's status.")
        if to not in AgreementStatus.values:
            raise DomainError(f"Unknown status {to!r}.", field="to")
        old = self.status
        if to not in AGREEMENT_TRANSITIONS[old]:
            raise TransitionRefused(
                f"An agreement cannot go from {AgreementStatus(old).label} to {AgreementStatus(to).label}.",
                field="to",
            )
        if to in REASON_REQUIRED and not reason.strip():
            raise DomainError("Give a reason for this change.", field="reason")
        if to == AgreementStatus.ACTIVE:
            self._check_ready_to_activate()
        with transaction.atomic():
            # Conditional, so that two admins acting at once cannot both move it.
            moved = Agreement.objects.filter(pk=self.pk, status=old).update(status=to, updated=timezone.now())
            if moved != 1:
                raise Conflict("The agreement changed meanwhile; reload it.", field="to")
            self.status = to
            self._loaded["status"] = to
            AgreementHistory.write(
                self, HistoryKind.TRANSITION, from_status=old, to_status=to, reason=reason, by=by
            )
            audit.record(AuditAction.UPDATE, self, detail={"status": [old, to], "reason": reason})

    def _check_ready_to_activate(self) -> None:
        if self.effective_from is None:
            raise DomainError("Set the effective date before activating.", field="effective_from")
        if not self.data_formats:
            raise DomainError("Agree at least one data format before activating.", field="data_formats")
        sensors = list(self.sensors.all())
        if self.kind == AgreementKind.SENSOR_LEVEL and not sensors:
            raise DomainError("A sensor-level agreement lists its sensors.", field="sensors")
        problem = sensor_problems(self.kind, self.partner_id, sensors)
        if problem:
            raise DomainError(problem, field="sensors")
        clash = self._overlapping_active()
        if clash is not None:
            raise Conflict(f"Overlaps the active agreement {clash.title!r}.", field="effective_from")

    def _overlapping_active(self) -> Agreement | None:
        others = Agreement.objects.filter(
            status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED], kind=self.kind
        ).exclude(pk=self.pk)
        if self.kind == AgreementKind.SPOC_LEVEL:
            others = others.filter(partner_id=self.partner_id)
        else:
            others = others.filter(sensors__in=self.sensors.all()).distinct()
        if self.expires_on is not None:
            others = others.filter(effective_from__lt=self.expires_on)
        assert self.effective_from is not None
        others = others.filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=self.effective_from)
        )
        return others.first()


def expire_lapsed(now: dt.datetime | None = None) -> dict[str, int]:
    """Move every active or suspended agreement whose expiry day has come to expired.

    Safe to run twice or on two workers at once: each move is the conditional update of
    `transition`, so only one of them wins and writes the history row.
    """
    today = day_of(now or timezone.now())
    due = Agreement.objects.filter(
        status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED], expires_on__lte=today
    ).order_by("pk")
    expired = changed_meanwhile = 0
    for agreement in due:
        try:
            agreement.transition(AgreementStatus.EXPIRED, SYSTEM, reason=EXPIRY_REASON)
        except Conflict:
            changed_meanwhile += 1
        else:
            expired += 1
    return {"expired": expired, "changed_meanwhile": changed_meanwhile}


class AgreementHistory(models.Model):
    """Append-only: who changed what in an agreement, and when. Read with the agreement."""

    # Read through its agreement: see portal.references.
    read_through = "agreement"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=HistoryKind.choices)
    changes = models.JSONField(default=dict, blank=True, help_text="field -> [old, new]")
    from_status = models.CharField(max_length=16, choices=AgreementStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=AgreementStatus.choices, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "agreement history"

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.kind} by {self.actor_name}"

    @classmethod
    def write(
        cls,
        agreement: Agreement,
        kind: str,
        *,
        changes: dict[str, Any] | None = None,
        from_status: str = "",
        to_status: str = "",
        reason: str = "",
        by: Any = None,
    ) -> AgreementHistory:
        actor = audit.current_actor()
        user = by if by is not None else actor.user
        user = user if getattr(user, "is_authenticated", False) else None
        return cls.objects.create(
            agreement=agreement,
            actor=user,
            actor_name=user.get_username() if user else actor.name,
            kind=kind,
            changes=changes or {},
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )


# What a data plan entry says about its sensor, in the order the agreement's editor and the API
# show it.
DATA_PLAN_FIELDS: tuple[str, ...] = ("sensor", "taskability", "deliveries_per_week", "timeliness", "notes")


class DataPlanEntry(models.Model):
    """What the partner expects to deliver from one sensor under an agreement."""

    # Read through its agreement: see portal.references.
    read_through = "agreement"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="data_plan")
    sensor = models.ForeignKey(
        "agreements.Sensor", on_delete=models.PROTECT, related_name="data_plan_entries"
    )
    taskability = models.CharField(max_length=12, choices=Taskability.choices, default=Taskability.ON_REQUEST)
    deliveries_per_week = models.PositiveIntegerField(default=0)
    timeliness = models.DurationField(
        null=True, blank=True, help_text="Empty: the agreement's delivery timeliness"
    )
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["agreement", "sensor__number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "sensor"], name="one_plan_entry_per_sensor")
        ]
        verbose_name_plural = "data plan entries"

    def __str__(self) -> str:
        return f"{self.agreement_id}/{self.sensor_id}: {self.taskability}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved, and kept in the agreement's history: added, or what changed from the stored
        entry (read first, as the save overwrites it); nothing if nothing changed."""
        stored = None
        if self.pk is not None:
            stored = DataPlanEntry.objects.filter(pk=self.pk).select_related("sensor").first()
        before = stored.describe() if stored is not None else None
        super().save(*args, **kwargs)
        now = self.describe()
        changes: dict[str, Any]
        if before is None:
            changes = {"data_plan": {"added": now}}
        else:
            diff = {key: [before[key], value] for key, value in now.items() if before.get(key) != value}
            if not diff:
                return
            changes = {"data_plan": {"sensor": now["sensor"], **diff}}
        AgreementHistory.write(self.agreement, HistoryKind.DATA_PLAN, changes=changes)

    def clean(self) -> None:
        # In the editor an entry may belong to an agreement not saved yet (no id, but set).
        has_agreement = self.agreement_id is not None or self._meta.get_field("agreement").is_cached(self)
        if not has_agreement or self.sensor_id is None:
            return
        agreement = self.agreement
        if self.sensor.spoc_id != agreement.partner_id:
            raise ValidationError({"sensor": "Not a sensor of the partner SpOC."})
        if (
            agreement.kind == AgreementKind.SENSOR_LEVEL
            and self.sensor_id not in agreement.listed_sensor_ids()
        ):
            raise ValidationError({"sensor": "A sensor-level agreement plans only the sensors it lists."})

    @property
    def effective_timeliness(self) -> dt.timedelta:
        return self.timeliness if self.timeliness is not None else self.agreement.delivery_timeliness

    def describe(self) -> dict[str, Any]:
        return {
            "sensor": str(self.sensor),
            "taskability": self.taskability,
            "deliveries_per_week": self.deliveries_per_week,
            "timeliness": str(self.timeliness) if self.timeliness is not None else "",
        }
