"""The request an observation answers, as the catalog sees it: a hook that tasking fills.

An observation may name the tasking request it answers (`Observation.tasking_request`, a lazy
model reference). The catalog must not import tasking, and must not re-implement its rules of
who may open or answer a request. So the catalog states here the three questions it asks, and
tasking registers the answers (`tasking.services.answers`, from `TaskingConfig.ready`).
Unregistered, every question raises: a delivery never skips the request check silently.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class AnsweredRequests(Protocol):
    def may_answer(self, user: Any, request_id: int) -> bool:
        """May `user` deliver observations answering `request_id` (None: a system delivery)?"""
        ...

    def readable(self, user: Any, request_ids: set[int]) -> set[int]:
        """Of `request_ids`, the requests `user` may open."""
        ...

    def targets(self, request_ids: set[int]) -> dict[int, list[int]]:
        """Target space object ids of each request (a system read, for association)."""
        ...


_registered: AnsweredRequests | None = None


def register(implementation: AnsweredRequests) -> None:
    global _registered
    _registered = implementation


def answered_requests() -> AnsweredRequests:
    if _registered is None:
        raise ImproperlyConfigured("no app registered the tasking requests observations answer")
    return _registered
