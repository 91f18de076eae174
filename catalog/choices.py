"""The catalog's vocabularies: object types and regimes, element-set sources, sync and mapping
states, calibration truths and run states."""

from __future__ import annotations

from django.db import models


class SourceKind(models.TextChoices):
    DIRECTORY = "directory", "Directory"
    URL = "url", "URL"


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class MappingStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CONFLICT = "conflict", "Conflict (for review)"
    SUPERSEDED = "superseded", "Superseded"


class TruthKind(models.TextChoices):
    EPHEMERIS = "ephemeris", "Precise ephemeris (CCSDS OEM)"
    ELEMENT_SET = "element_set", "Designated element set (SGP4, coarse)"


class CalibrationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ObjectType(models.TextChoices):
    PAYLOAD = "payload", "Payload"
    ROCKET_BODY = "rocket_body", "Rocket body"
    DEBRIS = "debris", "Debris"
    UNKNOWN = "unknown", "Unknown"


class Regime(models.TextChoices):
    LEO = "LEO", "LEO"
    MEO = "MEO", "MEO"
    GEO = "GEO", "GEO"
    HEO = "HEO", "HEO"
    UNKNOWN = "UNKNOWN", "Unknown"


class ElsetSource(models.TextChoices):
    UPSTREAM = "upstream", "Upstream feed"
    PARTNER = "partner", "Partner SpOC"
    COMPUTED = "computed", "Computed here"
