"""The ingest batch: one delivery, who sent what and what became of it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.observations.choices import BatchStatus
from portal.markings.models import MarkedModel
from portal.ownership import OwnershipRule, SpocOwnedQuerySet


class IngestBatch(MarkedModel):
    """One delivery: who sent what, when, the archived raw payload, and what became of it.

    Marked like what it carries: on arrival with the most its deliverer may read and share
    (nothing is known of the payload yet), then with the combination of the observations
    stored from it. Staff see their own SpOC's batches; US-side roles see all; both only within
    the marking rule.
    """

    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        "spoc", owner_may_edit=False, why="a delivery is history"
    )
    objects = models.Manager.from_queryset(SpocOwnedQuerySet)()  # type: ignore[assignment,misc]

    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_by_name = models.CharField(max_length=150)
    spoc = models.ForeignKey(
        "portal.SpOC", null=True, on_delete=models.PROTECT, related_name="ingest_batches"
    )
    received = models.DateTimeField(auto_now_add=True, db_index=True)
    finished = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, default="api", help_text="api, upload or command")
    data_format = models.CharField(max_length=10, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    payload = models.FileField(upload_to="observations/%Y/%m/%d/", max_length=255)
    payload_sha256 = models.CharField(max_length=64, db_index=True)
    payload_bytes = models.BigIntegerField(default=0)
    sensor_number = models.PositiveIntegerField(null=True, blank=True, help_text="Named by the caller")
    requested_marking = models.CharField(max_length=200, blank=True)
    tasking_request = models.ForeignKey(
        "tasking.TaskingRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The request this delivery answers, when the caller names one",
    )
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.RECEIVED)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    # Stored when the batch is associated, so that counts over the day's deliveries (the home
    # page) read the batches, not their observations.
    uct = models.PositiveIntegerField(default=0, help_text="Observations association left uncorrelated")
    errors = models.JSONField(default=list, blank=True, help_text="Per-record problems (first 1000)")
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why the whole batch failed, if it did")
    # Failed by an interruption (the process or the database went away), not by its content:
    # the archived payload is read again by the sweep, at most MAX_INGEST_ATTEMPTS times.
    retryable = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "catalog_ingestbatch"
        ordering = ["-received", "-id"]
        verbose_name_plural = "ingest batches"
        indexes = [models.Index(fields=["-received", "-id"], name="catalog_batch_newest")]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.data_format or '?'}, {self.status})"

    def finish(
        self,
        status: str,
        *,
        message: str = "",
        accepted: int = 0,
        duplicates: int = 0,
        rejected: int = 0,
        errors: list[dict[str, Any]] | None = None,
        retryable: bool = False,
    ) -> None:
        """End the ingest: stored (accepted), partial, rejected or failed, with the reason."""
        self.status = status
        self.message = message
        self.accepted, self.duplicates = accepted, duplicates
        self.rejected = self.error_count = rejected
        self.errors = errors or []
        self.retryable = retryable
        self.finished = timezone.now()
        self.save()

    def reopen(self) -> bool:
        """Take a batch failed by an interruption back for another attempt; False if another
        worker took it first or it is not retryable."""
        updated = IngestBatch.objects.filter(pk=self.pk, status=BatchStatus.FAILED, retryable=True).update(
            status=BatchStatus.RECEIVED, retryable=False, finished=None, message=""
        )
        if updated == 1:
            self.refresh_from_db()
        return updated == 1
