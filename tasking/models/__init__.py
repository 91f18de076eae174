"""Models of tasking: requests, their windows, targets, passes, events, messages, operations."""

from __future__ import annotations

from tasking.models.messages import RequestMessage
from tasking.models.notifications import Notification
from tasking.models.operations import CoalitionOperation, SupportPlanEntry
from tasking.models.requests import (
    ANSWER_PERMISSION,
    VIEW_PERMISSION,
    PredictedPass,
    RequestEvent,
    RequestTarget,
    RequestWindow,
    TaskingRequest,
    TaskingRequestGroupObjectPermission,
    TaskingRequestUserObjectPermission,
    is_operator,
    is_us_side,
)
from tasking.models.retasking import (
    GapReasonChoice,
    RetaskingGap,
    RetaskingRun,
    RetaskingRunStatus,
    SsnTask,
    SsnTaskStatus,
)

__all__ = [
    "ANSWER_PERMISSION",
    "VIEW_PERMISSION",
    "CoalitionOperation",
    "GapReasonChoice",
    "Notification",
    "PredictedPass",
    "RequestEvent",
    "RequestMessage",
    "RequestTarget",
    "RequestWindow",
    "RetaskingGap",
    "RetaskingRun",
    "RetaskingRunStatus",
    "SsnTask",
    "SsnTaskStatus",
    "SupportPlanEntry",
    "TaskingRequest",
    "TaskingRequestGroupObjectPermission",
    "TaskingRequestUserObjectPermission",
    "is_operator",
    "is_us_side",
]
