"""Models of the core: accounts (users, nations, SpOCs), notices, the audit trail, task runs."""

from __future__ import annotations

from portal.models.access import AccessChange, AccessChangeKind, AccessChangeStatus
from portal.models.accounts import Nation, Role, SpOC, User
from portal.models.audit import AuditAction, AuditEvent
from portal.models.notices import Notice
from portal.models.task_runs import TaskRun, TaskRunStatus
from portal.models.tokens import ApiToken

__all__ = [
    "AccessChange",
    "AccessChangeKind",
    "AccessChangeStatus",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "Nation",
    "Notice",
    "Role",
    "SpOC",
    "TaskRun",
    "TaskRunStatus",
    "User",
]
