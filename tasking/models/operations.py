"""Coalition operations: an event (a crewed launch, a reentry campaign) that groups requests,
the SpOCs taking part and a support plan of who covers which pass."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portal.errors import TAKEN_MESSAGE
from portal.markings.models import MarkedModel
from tasking.choices import OperationStatus


class CoalitionOperation(MarkedModel):
    code = models.SlugField(max_length=40, unique=True, error_messages={"unique": TAKEN_MESSAGE})
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=OperationStatus.choices, default=OperationStatus.PLANNED)
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    participants = models.ManyToManyField("portal.SpOC", related_name="coalition_operations", blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts", "id"]

    def __str__(self) -> str:
        return self.name


class SupportPlanEntry(models.Model):
    """One line of the plan: which partner covers which pass (read under the operation's marking)."""

    # Read through its operation: see portal.references.
    read_through = "operation"
    # References a line may carry without being about them: shown only to their readers.
    optional_links = ("sensor", "space_object", "request")

    operation = models.ForeignKey(CoalitionOperation, on_delete=models.CASCADE, related_name="plan")
    label = models.CharField(max_length=120, help_text='e.g. "Ascent, pass 1"')
    spoc = models.ForeignKey("portal.SpOC", on_delete=models.PROTECT, related_name="+")
    sensor = models.ForeignKey(
        "agreements.Sensor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    space_object = models.ForeignKey(
        "catalog.SpaceObject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    request = models.ForeignKey(
        "tasking.TaskingRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_entries",
    )
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name_plural = "support plan entries"

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.label}"
