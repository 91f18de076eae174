"""A record of every background run, so that people can see progress and failures."""

from __future__ import annotations

import uuid

from django.db import models


class TaskRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class TaskRun(models.Model):
    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, db_index=True)
    # Two deliveries of the same logical run share a key; the unique constraint makes the
    # second one find the first instead of doing the work again.
    idempotency_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=TaskRunStatus.choices, default=TaskRunStatus.RUNNING)
    worker = models.CharField(max_length=200, blank=True)
    started = models.DateTimeField(auto_now_add=True, db_index=True)
    finished = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # The worker holding a running run proves it is alive by moving `heartbeat` on; a run silent
    # for longer than settings.TASK_RUN_LEASE_S lost its worker and may be taken over.
    heartbeat = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    # What the task was called with, so that the sweep can queue a lost run's work again.
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    # The record the run is about ("app_label.model" and its id), when it is about one: the run
    # (its time, counts and errors) is shown to whoever may read that record, and a run about
    # no record (the periodic work over every record) only to who reads everything
    # (`portal.task_runs.runs_visible_to`).
    subject_model = models.CharField(max_length=100, blank=True, default="", db_default="")
    subject_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        indexes = [models.Index(fields=["subject_model", "subject_id"], name="portal_taskrun_subject")]

    def __str__(self) -> str:
        return f"{self.name} {self.run_id} {self.status}"
