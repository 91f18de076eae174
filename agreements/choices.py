"""Vocabularies of the partnership side, shared with the apps that build on it (tasking, catalog)."""

from __future__ import annotations

from django.db import models


class SensorType(models.TextChoices):
    PHASED_ARRAY_RADAR = "phased_array_radar", "Phased-array radar"
    TRACKING_RADAR = "tracking_radar", "Tracking radar"
    OPTICAL_TELESCOPE = "optical_telescope", "Optical telescope"
    PASSIVE_RF = "passive_rf", "Passive RF"

    @property
    def is_radar(self) -> bool:
        return self in {SensorType.PHASED_ARRAY_RADAR, SensorType.TRACKING_RADAR}


RADAR_TYPES = frozenset({SensorType.PHASED_ARRAY_RADAR, SensorType.TRACKING_RADAR})


class MeasurementType(models.TextChoices):
    RANGE = "range", "Range"
    AZIMUTH_ELEVATION = "azimuth_elevation", "Azimuth / elevation"
    RA_DEC = "ra_dec", "Right ascension / declination"
    RANGE_RATE = "range_rate", "Range-rate"


# Biases and noise are entered and compared in these units, whatever the sensor reports natively.
MEASUREMENT_UNITS: dict[str, str] = {
    MeasurementType.RANGE: "km",
    MeasurementType.AZIMUTH_ELEVATION: "deg",
    MeasurementType.RA_DEC: "deg",
    MeasurementType.RANGE_RATE: "km/s",
}


class SensorStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded", "Degraded"
    MAINTENANCE = "maintenance", "Maintenance"
    OFFLINE = "offline", "Offline"


# A degraded sensor still takes tasks; maintenance and offline do not.
AVAILABLE_STATUSES = frozenset({SensorStatus.OPERATIONAL, SensorStatus.DEGRADED})


class AgreementKind(models.TextChoices):
    SENSOR_LEVEL = "sensor_level", "Sensor-level"
    SPOC_LEVEL = "spoc_level", "SpOC-level"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_NEGOTIATION = "in_negotiation", "In negotiation"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


class DataFormat(models.TextChoices):
    TDM_KVN = "tdm-kvn", "CCSDS TDM (KVN)"
    TDM_XML = "tdm-xml", "CCSDS TDM (XML)"
    UDL_JSON = "udl-json", "UDL-style JSON"
    CSV = "csv", "CSV"
    B3 = "b3", "B3 card"
    OMM = "omm", "CCSDS OMM"
    TLE = "tle", "TLE / 3LE"


class Taskability(models.TextChoices):
    ON_REQUEST = "on_request", "On request"
    DAILY = "daily", "Daily"
    CONTINUOUS = "continuous", "Continuous"
    CAMPAIGN = "campaign", "Campaigns only"


class Mission(models.TextChoices):
    CONJUNCTION_ASSESSMENT = "conjunction_assessment", "Conjunction assessment"
    RPO = "rpo", "Rendezvous and proximity operations"
    CATALOG_MAINTENANCE = "catalog_maintenance", "Catalog maintenance"
    LAUNCH_REENTRY_SUPPORT = "launch_reentry_support", "Launch / reentry support"
    EVENT_CUEING = "event_cueing", "Event cueing"
    INFORMATION_SHARING = "information_sharing", "Information sharing"


class EvaluationStatus(models.TextChoices):
    IN_EVALUATION = "in_evaluation", "In evaluation"
    PROMOTED = "promoted", "Promoted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Priority(models.TextChoices):
    """Tasking priority in either vocabulary: the precedence words or SSN categories 1-5."""

    EMERGENCY = "emergency", "EMERGENCY"
    FLASH = "flash", "FLASH"
    IMMEDIATE = "immediate", "IMMEDIATE"
    PRIORITY = "priority", "PRIORITY"
    ROUTINE = "routine", "ROUTINE"
    CATEGORY_1 = "cat1", "SSN category 1"
    CATEGORY_2 = "cat2", "SSN category 2"
    CATEGORY_3 = "cat3", "SSN category 3"
    CATEGORY_4 = "cat4", "SSN category 4"
    CATEGORY_5 = "cat5", "SSN category 5"

    @property
    def is_quick_turn(self) -> bool:
        return self in QUICK_TURN_PRIORITIES


QUICK_TURN_PRIORITIES = frozenset(
    {Priority.EMERGENCY, Priority.FLASH, Priority.IMMEDIATE, Priority.CATEGORY_1, Priority.CATEGORY_2}
)


class HistoryKind(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Terms changed"
    TRANSITION = "transition", "Status changed"
    SENSORS = "sensors", "Sensors changed"
    DATA_PLAN = "data_plan", "Data plan changed"
