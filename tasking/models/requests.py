"""Tasking requests, what they carry for the partner (targets, element sets, windows, passes),
their history, and the object permissions that let one SpOC's staff answer them."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.validators import MinValueValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.markings.models import MarkedManager, MarkedModel, MarkedQuerySet
from portal.models import Role
from portal.ownership import OwnershipRule, is_us_side, staff_spoc_id
from tasking.choices import (
    IN_HAND_STATUSES,
    Actor,
    FailureReason,
    ObservationType,
    Priority,
    Purpose,
    RejectReason,
    RequestAction,
    RequestKind,
    RequestStatus,
    Tier,
)

ANSWER_PERMISSION = "tasking.answer_taskingrequest"
VIEW_PERMISSION = "tasking.view_taskingrequest"
ANSWER_GRANT_CACHE = "_answer_grant_keys"


def is_operator(user: Any) -> bool:
    return is_us_side(user) and user.role == Role.US_OPERATOR


class TaskingRequestQuerySet(MarkedQuerySet):
    def accessible_to(self, user: Any) -> Self:
        """Requests `user` may open: by marking, and either on the US side or staff of the SpOC asked."""
        visible = self.visible_to(user)
        if is_us_side(user):
            return visible
        return self.answerable_by(user, _visible=visible)

    def answerable_by(self, user: Any, _visible: Self | None = None) -> Self:
        """Requests addressed to `user`'s SpOC: guardian object permission AND the marking rule."""
        visible = _visible if _visible is not None else self.visible_to(user)
        spoc_id = staff_spoc_id(user)
        if spoc_id is None:
            return self.none()
        # Permissions are granted only to the staff of the SpOC asked, so narrowing to that SpOC
        # first changes no answer; it lets the (spoc, status, deadline) index pick the rows.
        # Then each candidate probes the permission tables' (who, permission, object) index.
        # guardian's `get_objects_for_user` states the same rule (the user's own grant or a
        # group's, no superuser or global shortcut) as subqueries PostgreSQL plans by first
        # collecting every request the SpOC was ever granted: 265 ms of 291 at 100,000 requests,
        # against 15 ms with the permission and the groups given as constants.
        permission_id, group_ids = _answer_grant_keys(user)
        if permission_id is None:
            return self.none()
        grant = {"content_object": models.OuterRef("pk"), "permission_id": permission_id}
        by_user = TaskingRequestUserObjectPermission.objects.filter(user=user, permission_id=permission_id)
        by_group = TaskingRequestGroupObjectPermission.objects.filter(group_id__in=group_ids, **grant)
        # Only the kinds of grant the user holds: OR-ing an EXISTS the user cannot satisfy makes
        # PostgreSQL hash every request the group was ever granted (40,000) to show a page of
        # 50, where the group's EXISTS alone is a probe per row (41 ms against 0.6 ms). Whether
        # the user holds a grant of their own is asked afresh each time (one indexed probe):
        # one given a moment ago counts at once.
        held = [models.Exists(by_user.filter(**grant))] if by_user.exists() else []
        if group_ids:
            held.append(models.Exists(by_group))
        if not held:
            return self.none()
        rule = held[0] if len(held) == 1 else held[0] | held[1]
        return visible.filter(spoc_id=spoc_id).filter(rule)


def _answer_grant_keys(user: Any) -> tuple[int | None, list[int]]:
    """The answer permission's id and `user`'s group ids, kept on the user object for its life
    (one request), as Django's ModelBackend keeps `_perm_cache`; `sync_staff_membership`
    forgets them when it changes the groups."""
    cached = getattr(user, ANSWER_GRANT_CACHE, None)
    if cached is None:
        app_label, codename = ANSWER_PERMISSION.split(".")
        permission = Permission.objects.filter(codename=codename, content_type__app_label=app_label)
        groups = list(user.groups.values_list("pk", flat=True))
        cached = (permission.values_list("pk", flat=True).first(), groups)
        setattr(user, ANSWER_GRANT_CACHE, cached)
    return cached


class TaskingRequestManager(MarkedManager.from_queryset(TaskingRequestQuerySet)):  # type: ignore[misc]
    pass


def reference_of(pk: int | None) -> str:
    """How people name a request: TR- and its number (`TaskingRequest.reference`)."""
    return f"TR-{pk:06d}" if pk else "TR-new"


def request_label(pk: int | None, title: str) -> str:
    return f"{reference_of(pk)} {title}"


class TaskingRequest(MarkedModel):
    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        None, owner_may_edit=False, why="changed only through its workflow"
    )

    kind = models.CharField(max_length=8, choices=RequestKind.choices, default=RequestKind.REQUEST)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.DRAFT, db_index=True
    )
    title = models.CharField(max_length=200)
    spoc = models.ForeignKey("portal.SpOC", on_delete=models.PROTECT, related_name="tasking_requests")
    sensor = models.ForeignKey(
        "agreements.Sensor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="direct_taskings",
        help_text="Direct tasking only",
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasking_requests",
    )
    operation = models.ForeignKey(
        "tasking.CoalitionOperation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    observation_type = models.CharField(
        max_length=16, choices=ObservationType.choices, default=ObservationType.ANY_METRIC
    )
    tracks_wanted = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    track_spacing_min = models.PositiveIntegerField(
        "minimum spacing between tracks (min)",
        default=0,
        help_text="Between two tracks of one target by one sensor; 0 for none",
    )
    observations_wanted = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1)])
    minimum_tier = models.PositiveSmallIntegerField(
        choices=Tier.choices, default=Tier.LEVEL_3, help_text="Sensors at this level or closer (lower number)"
    )
    instructions = models.TextField(blank=True)
    data_formats = models.JSONField(default=list, blank=True, help_text="As agreed")

    response_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    staffing_warning = models.CharField(max_length=300, blank=True)
    deadline_warned_at = models.DateTimeField(null=True, blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    first_answer = models.CharField(max_length=10, choices=RequestStatus.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    reject_reason = models.CharField(max_length=24, choices=RejectReason.choices, blank=True)
    failure_reason = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    reason_text = models.TextField(blank=True)
    proposed_start = models.DateTimeField(null=True, blank=True)
    proposed_end = models.DateTimeField(null=True, blank=True)

    observations_counted = models.PositiveIntegerField(default=0)
    tracks_counted = models.PositiveIntegerField(default=0)
    first_delivery_at = models.DateTimeField(null=True, blank=True)
    delivery_latency_s = models.FloatField(null=True, blank=True, help_text="Median, observation to receipt")

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = TaskingRequestManager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created", "-id"]
        permissions = [("answer_taskingrequest", "Can answer a tasking request")]
        indexes = [
            models.Index(fields=["status", "response_deadline"], name="tasking_req_status_deadline"),
            models.Index(fields=["spoc", "submitted_at"], name="tasking_req_spoc_submitted"),
            # The inbox: one SpOC's requests in a status, by deadline.
            models.Index(fields=["spoc", "status", "response_deadline"], name="tasking_req_spoc_status_due"),
            # The inbox's requests in hand (five statuses): walked in deadline order, a page is
            # its first rows; with the marking in the index, counting them reads no table row.
            models.Index(
                fields=["spoc", "response_deadline", "id"],
                include=["classification_level", "noforn", "rel_mask"],
                condition=models.Q(status__in=IN_HAND_STATUSES),
                name="tasking_req_in_hand_due",
            ),
            # The request list's default order.
            models.Index(fields=["-created", "-id"], name="tasking_req_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="request", sensor__isnull=True)
                | models.Q(kind="direct", sensor__isnull=False),
                name="tasking_direct_names_its_sensor",
            )
        ]

    def __str__(self) -> str:
        return request_label(self.pk, self.title)

    @property
    def reference(self) -> str:
        return reference_of(self.pk)

    @property
    def is_direct(self) -> bool:
        return self.kind == RequestKind.DIRECT

    def time_left(self, now: dt.datetime) -> dt.timedelta | None:
        if self.response_deadline is None:
            return None
        return self.response_deadline - now

    def execution_windows(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """Where observations count: the requested windows (uses prefetched `windows`)."""
        return [(w.start, w.end) for w in self.windows.all()]


class RequestWindow(models.Model):
    # Read through its request: see portal.references.
    read_through = "request"
    request = models.ForeignKey(TaskingRequest, on_delete=models.CASCADE, related_name="windows")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="tasking_window_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} to {self.end:%H:%M} UTC"


class RequestTarget(models.Model):
    """A target object and the element set the partner should use, copied when filed."""

    # Read through its request: see portal.references.
    read_through = "request"

    request = models.ForeignKey(TaskingRequest, on_delete=models.CASCADE, related_name="targets")
    space_object = models.ForeignKey("catalog.SpaceObject", on_delete=models.PROTECT, related_name="+")
    element_set = models.ForeignKey(
        "catalog.ElementSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A copy, so the request can be executed and reproduced even if the catalog moves on.
    elements = models.JSONField(default=dict, blank=True)
    elements_epoch = models.DateTimeField(null=True, blank=True)
    elements_copied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "space_object"], name="tasking_target_once_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.space_object_id}"


class PredictedPass(models.Model):
    # Read through its request: see portal.references.
    read_through = "request"
    request = models.ForeignKey(TaskingRequest, on_delete=models.CASCADE, related_name="passes")
    target = models.ForeignKey(RequestTarget, on_delete=models.CASCADE, related_name="passes")
    sensor = models.ForeignKey("agreements.Sensor", on_delete=models.CASCADE, related_name="+")
    rise = models.DateTimeField()
    culmination = models.DateTimeField()
    set = models.DateTimeField()
    max_elevation_deg = models.FloatField()
    rise_azimuth_deg = models.FloatField()
    set_azimuth_deg = models.FloatField()

    class Meta:
        ordering = ["rise", "id"]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.rise:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> dt.timedelta:
        return self.set - self.rise


class RequestEvent(models.Model):
    """One step of a request's life: who moved it, from what, to what, and why."""

    # Read through its request: see portal.references.
    read_through = "request"

    request = models.ForeignKey(TaskingRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    side = models.CharField(max_length=8, choices=Actor.choices)
    action = models.CharField(max_length=16, choices=RequestAction.choices)
    from_status = models.CharField(max_length=10, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=RequestStatus.choices)
    reason_code = models.CharField(max_length=24, blank=True)
    text = models.TextField(blank=True)
    proposed_start = models.DateTimeField(null=True, blank=True)
    proposed_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return event_label(self.request_id, self.from_status, self.to_status)


def event_label(request_id: int, from_status: str, to_status: str) -> str:
    return f"{request_id}: {from_status} -> {to_status}"


class TaskingRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(TaskingRequest, on_delete=models.CASCADE)


class TaskingRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(TaskingRequest, on_delete=models.CASCADE)
