"""Dated changes of a user's access: clearance, nationality, SpOC membership, role, active.

The user row holds the access in force (what `visible_to` reads on every request); each change
is a row here, requested by a security officer with a reason and an effective time, approved
by a second officer where the rules ask for it, and applied when it comes into force. The rows
are the history from which a user's access on any date is reconstructed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessChangeStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a second security officer"
    APPROVED = "approved", "Approved, not yet in force"
    APPLIED = "applied", "In force"
    REFUSED = "refused", "Refused"


class AccessChangeKind(models.TextChoices):
    CREATED = "created", "Account created"
    CHANGED = "changed", "Access changed"
    DEACTIVATED = "deactivated", "Account deactivated"
    REACTIVATED = "reactivated", "Account reactivated"


class AccessChange(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_changes"
    )
    kind = models.CharField(max_length=12, choices=AccessChangeKind.choices, default=AccessChangeKind.CHANGED)
    # Only the fields that change: clearance (int), nationality (trigraph), spoc (id or null),
    # role, is_active.
    changes = models.JSONField()
    reason = models.TextField()
    effective_at = models.DateTimeField(help_text="UTC; never earlier than the approval")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_changes_requested"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    needs_approval = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=AccessChangeStatus.choices, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_changes_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # When the change governs access: the later of its effective time and its approval.
    in_force_at = models.DateTimeField(null=True, blank=True, db_index=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # The user's access just before and just after the change, written when it is applied.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["user", "status", "in_force_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user} ({self.get_status_display()})"
