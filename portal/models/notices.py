"""Notices: marked bulletins a SpOC shares with the coalition (Level 4 information sharing)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from portal.markings.models import MarkedModel
from portal.ownership import OwnershipRule


class Notice(MarkedModel):
    ownership: ClassVar[OwnershipRule] = OwnershipRule("spoc", why="a bulletin of its SpOC")

    title = models.CharField(max_length=200)
    body = models.TextField()
    spoc = models.ForeignKey(
        "portal.SpOC", on_delete=models.PROTECT, related_name="notices", null=True, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title
