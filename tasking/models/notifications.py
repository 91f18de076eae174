"""What a user is told: shown in the site, and announced by e-mail without the classified content."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portal.markings.models import MarkedModel
from tasking.choices import NotificationKind


class Notification(MarkedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    request = models.ForeignKey(
        "tasking.TaskingRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="tasking_notif_unread"),
            models.Index(fields=["user", "-created", "-id"], name="tasking_notif_user_newest"),
        ]
        constraints = [
            # Deadline reminders and expiry notices are sent once per request and person.
            models.UniqueConstraint(
                fields=["user", "request", "kind"],
                condition=models.Q(kind__in=["deadline_approaching", "expired"]),
                name="tasking_notif_once",
            )
        ]

    def __str__(self) -> str:
        return self.title
