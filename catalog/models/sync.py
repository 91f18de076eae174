"""Where element sets come from: sync sources and their recorded runs, and partners' own ids."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from catalog.choices import MappingStatus, SourceKind, SyncRunStatus
from catalog.formats.elements import FORMATS
from portal.markings.marking import Marking, MarkingError
from portal.markings.models import MarkedModel
from portal.models import Role
from portal.ownership import OwnershipRule, SpocOwnedQuerySet


def validate_marking_text(value: str) -> None:
    try:
        Marking.parse(value)
    except MarkingError as exc:
        raise ValidationError(str(exc)) from exc


class SyncSource(models.Model):
    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    location = models.CharField(max_length=500, help_text="a directory path or an http(s) URL")
    format = models.CharField(
        max_length=10, blank=True, choices=[(f, f) for f in FORMATS], help_text="blank: detect per file"
    )
    interval = models.DurationField(default=dt.timedelta(hours=1))
    enabled = models.BooleanField(default=True)
    default_marking = models.CharField(
        max_length=200, default="UNCLASSIFIED", validators=[validate_marking_text]
    )
    spoc = models.ForeignKey(
        "portal.SpOC",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sync_sources",
        help_text="set when the files are a partner's own element sets",
    )
    next_due = models.DateTimeField(null=True, blank=True, help_text="blank: due now")
    # Set while a worker holds the source; a conditional UPDATE takes it, so two workers never
    # pull the same source at once.
    running_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def marking(self) -> Marking:
        return Marking.parse(self.default_marking)


class SyncRun(MarkedModel):
    """One import: a manual `import_catalog`, a scheduled pull of a source, or a partner upload.

    Marked like the records it imported, since its errors quote them.
    """

    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        "spoc", owner_may_edit=False, why="a record of what was imported"
    )
    objects = models.Manager.from_queryset(SpocOwnedQuerySet)()  # type: ignore[assignment,misc]

    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(
        SyncSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    label = models.CharField(max_length=200, blank=True, help_text="file or upload this run read")
    spoc = models.ForeignKey(
        "portal.SpOC",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the partner whose submission this run imported",
    )
    task_run = models.ForeignKey(
        "portal.TaskRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started = models.DateTimeField(auto_now_add=True, db_index=True)
    finished = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING)
    files = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="the first rejections, and any failure")

    class Meta:
        ordering = ["-started", "-id"]

    def __str__(self) -> str:
        return f"{self.source or self.label} {self.started:%Y-%m-%d %H:%M} {self.status}"


class SyncedFile(models.Model):
    """A file of a directory source already imported, recognised by name, size and mtime."""

    source = models.ForeignKey(SyncSource, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    mtime_ns = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    run = models.ForeignKey(SyncRun, null=True, on_delete=models.SET_NULL, related_name="+")
    imported = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "name"], name="catalog_syncedfile_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.name}"


class MappingQuerySet(SpocOwnedQuerySet):
    def visible_to(self, user: Any) -> Self:
        from catalog.models.objects import SpaceObject

        return super().visible_to(user).filter(space_object__in=SpaceObject.objects.visible_to(user))


class PartnerObjectMapping(MarkedModel):
    """A partner SpOC's own id for a catalog object."""

    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        "spoc",
        owner_may_edit=False,
        managed_by=frozenset({Role.AGREEMENT_ADMIN}),
        why="submitted by its SpOC, conflicts resolved by admins",
    )
    spoc = models.ForeignKey("portal.SpOC", on_delete=models.PROTECT, related_name="object_mappings")
    partner_object_id = models.CharField(max_length=64)
    space_object = models.ForeignKey("catalog.SpaceObject", on_delete=models.CASCADE, related_name="mappings")
    status = models.CharField(
        max_length=10, choices=MappingStatus.choices, default=MappingStatus.ACTIVE, db_index=True
    )
    conflicts_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="challengers"
    )
    note = models.CharField(max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    resolved = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = models.Manager.from_queryset(MappingQuerySet)()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["spoc", "partner_object_id", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["spoc", "partner_object_id"],
                condition=Q(status="active"),
                name="catalog_mapping_one_active_per_partner_id",
            ),
            models.UniqueConstraint(
                fields=["spoc", "space_object"],
                condition=Q(status="active"),
                name="catalog_mapping_one_active_per_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spoc_id}:{self.partner_object_id} -> {self.space_object_id} ({self.status})"
