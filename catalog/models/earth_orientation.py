"""Imported IERS Earth-orientation tables (finals files), kept whole so a run can be reproduced."""

from __future__ import annotations

from django.db import models


class EarthOrientationTable(models.Model):
    """One imported IERS ``finals`` file. Public IERS data: not marked.

    The table in use is the freshest (latest measured day) of the imported ones and the one
    packaged with ``astropy-iers-data``; see :mod:`catalog.services.earth_orientation`."""

    name = models.CharField(max_length=200, help_text="File name or source it was imported from")
    content_hash = models.CharField(max_length=64, unique=True)
    text = models.TextField(help_text="The finals file as imported")
    first_day = models.DateField()
    last_day = models.DateField()
    last_measured_day = models.DateField(null=True, blank=True, db_index=True)
    rows = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_measured_day", "-imported_at"]

    def __str__(self) -> str:
        return f"{self.name} (measured to {self.last_measured_day})"
