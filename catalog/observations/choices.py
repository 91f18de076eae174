"""The observations' vocabularies: data modes, association states, delivery states."""

from __future__ import annotations

from django.db import models


class DataMode(models.TextChoices):
    REAL = "REAL", "Real"
    TEST = "TEST", "Test"
    EXERCISE = "EXERCISE", "Exercise"
    SIMULATED = "SIMULATED", "Simulated"


class AssociationStatus(models.TextChoices):
    PENDING = "pending", "Not yet associated"
    ASSOCIATED = "associated", "Associated"
    UCT = "uct", "Uncorrelated track (UCT)"


class BatchStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    PARTIAL = "partial", "Partly accepted"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Unreadable"
