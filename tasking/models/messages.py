"""The conversation on a request: coordination in text, each message marked."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from portal.markings.models import MarkedModel
from portal.ownership import OwnershipRule


class RequestMessage(MarkedModel):
    ownership: ClassVar[OwnershipRule] = OwnershipRule(
        "author_spoc", owner_may_edit=False, why="the conversation is history"
    )

    request = models.ForeignKey("tasking.TaskingRequest", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    author_spoc = models.ForeignKey(
        "portal.SpOC", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.author_name} {self.created:%Y-%m-%d %H:%M}"
