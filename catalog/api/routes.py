"""API routes of this app, registered on the project's one router by portal/api/urls.py."""

from __future__ import annotations

from typing import Any

from catalog.api.views import ElementSetViewSet, MappingViewSet, SpaceObjectViewSet, SyncRunViewSet

ROUTES: list[tuple[str, Any]] = [
    ("catalog/objects", SpaceObjectViewSet),
    ("catalog/elsets", ElementSetViewSet),
    ("catalog/mappings", MappingViewSet),
    ("catalog/sync-runs", SyncRunViewSet),
]
