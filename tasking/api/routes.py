"""API routes of this app, registered on the project's one router by portal/api/urls.py."""

from __future__ import annotations

from typing import Any

from tasking.api.views import CoalitionOperationViewSet, TaskingRequestViewSet

ROUTES: list[tuple[str, Any]] = [
    ("tasking-requests", TaskingRequestViewSet),
    ("tasking-operations", CoalitionOperationViewSet),
]
