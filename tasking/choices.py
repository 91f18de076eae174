"""Vocabularies of tasking: request states, purposes, observation types, refusal reasons."""

from __future__ import annotations

from django.db import models

from agreements.choices import Priority

__all__ = [
    "Actor",
    "NotificationKind",
    "ObservationType",
    "OperationStatus",
    "Priority",
    "Purpose",
    "RejectReason",
    "RequestAction",
    "RequestKind",
    "RequestStatus",
    "Tier",
]


class RequestKind(models.TextChoices):
    # SpOC-level agreement: the US asks, the partner tasks its own sensors and may say no.
    REQUEST = "request", "Request to a SpOC"
    # Sensor-level agreement: the US tasks the sensor itself; the partner cannot refuse.
    DIRECT = "direct", "Direct tasking of a sensor"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    PROPOSED = "proposed", "Alternative proposed"
    SCHEDULED = "scheduled", "Scheduled"
    COLLECTED = "collected", "Collected"
    DELIVERED = "delivered", "Delivered"
    PARTIAL = "partial", "Partially fulfilled"
    FULFILLED = "fulfilled", "Fulfilled"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    RETASKED = "retasked", "Retasked"


# In the partner's hands (the inbox's second list): a window proposed, or accepted and worked on.
IN_HAND_STATUSES = (
    RequestStatus.PROPOSED,
    RequestStatus.ACCEPTED,
    RequestStatus.SCHEDULED,
    RequestStatus.COLLECTED,
    RequestStatus.DELIVERED,
)


class RequestAction(models.TextChoices):
    SUBMIT = "submit", "Submit"
    CANCEL = "cancel", "Cancel"
    ACCEPT = "accept", "Accept"
    REJECT = "reject", "Reject"
    PROPOSE = "propose", "Propose another window"
    ACCEPT_PROPOSAL = "accept_proposal", "Accept the proposed window"
    DECLINE_PROPOSAL = "decline_proposal", "Decline the proposed window"
    SCHEDULE = "schedule", "Report scheduled"
    COLLECT = "collect", "Report collected"
    DELIVER = "deliver", "Report delivered"
    FAIL = "fail", "Report failed"
    RECORD_PARTIAL = "record_partial", "Count observations: partial"
    RECORD_FULFILLED = "record_fulfilled", "Count observations: fulfilled"
    EXPIRE = "expire", "Expire"
    RETASK = "retask", "Retask to the SSN"
    SSN_FAILED = "ssn_failed", "SSN tasks failed"


class Actor(models.TextChoices):
    """Which side of the exchange may take an action."""

    OPERATOR = "operator", "US operator"
    PARTNER = "partner", "Partner SpOC staff"
    SYSTEM = "system", "The portal"


class Purpose(models.TextChoices):
    CATALOG_MAINTENANCE = "catalog_maintenance", "Catalog maintenance"
    CONJUNCTION_ASSESSMENT = "conjunction_assessment", "Conjunction assessment"
    LAUNCH = "launch", "Launch"
    REENTRY = "reentry", "Reentry"
    RPO = "rpo", "Rendezvous and proximity operations"
    HUMAN_SPACEFLIGHT = "human_spaceflight", "Human spaceflight support"
    OTHER = "other", "Other"


class ObservationType(models.TextChoices):
    RADAR_METRIC = "radar_metric", "Radar metric (range, az/el, range-rate)"
    OPTICAL_ANGLES = "optical_angles", "Optical angles (RA/Dec)"
    ANY_METRIC = "any_metric", "Any metric observation"
    PASSIVE_RF = "passive_rf", "Passive RF"


class Tier(models.IntegerChoices):
    """Integration tiers; a lower number is a closer integration (Level 1 = SSN-like)."""

    LEVEL_1 = 1, "Level 1"
    LEVEL_2 = 2, "Level 2"
    LEVEL_3 = 3, "Level 3"
    LEVEL_4 = 4, "Level 4"


class RejectReason(models.TextChoices):
    SENSOR_UNAVAILABLE = "sensor_unavailable", "Sensor unavailable (maintenance / outage)"
    NO_CAPACITY = "no_capacity", "No capacity in the window"
    NOT_VISIBLE = "not_visible", "Target not visible from our sensors in the window"
    WEATHER = "weather", "Weather"
    NATIONAL_PRIORITY = "national_priority", "National tasking takes precedence"
    POLICY = "policy", "Policy or releasability"
    INSUFFICIENT_INFORMATION = "insufficient_information", "Not enough information to execute"
    OTHER = "other", "Other (see text)"


class FailureReason(models.TextChoices):
    SENSOR_FAULT = "sensor_fault", "Sensor fault"
    WEATHER = "weather", "Weather"
    TARGET_NOT_ACQUIRED = "target_not_acquired", "Target not acquired"
    PREEMPTED = "preempted", "Pre-empted by higher-priority tasking"
    DELIVERY_FAILED = "delivery_failed", "Data could not be delivered"
    NO_DATA = "no_data", "No data by the end of the window"
    OTHER = "other", "Other (see text)"


class OperationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"


class NotificationKind(models.TextChoices):
    NEW_REQUEST = "new_request", "New request in your inbox"
    ANSWER = "answer", "Answer received"
    DEADLINE_APPROACHING = "deadline_approaching", "Deadline approaching"
    EXPIRED = "expired", "Request expired"
    MESSAGE = "message", "New message"
    FULFILMENT = "fulfilment", "Fulfilment update"


class RetaskingRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class SsnTaskStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COLLECTED = "collected", "Collected"
    FAILED = "failed", "Failed"
