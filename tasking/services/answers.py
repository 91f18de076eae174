"""Tasking's answers to the catalog's questions about the request an observation answers.

Registered with `catalog.observations.services.answers` from `TaskingConfig.ready`; the rules are the
request's own (`visible_to`, `accessible_to`, the SpOC it is addressed to).
"""

from __future__ import annotations

from typing import Any

from portal import ownership
from tasking.models import TaskingRequest


class TaskingAnsweredRequests:
    def may_answer(self, user: Any, request_id: int) -> bool:
        requests = TaskingRequest.objects
        found = (
            requests.filter(pk=request_id)
            if user is None
            else requests.visible_to(user).filter(pk=request_id)
        )
        # The US side answers any request it may read; anyone else only those addressed to
        # the SpOC they work for.
        if user is not None and not ownership.is_us_side(user):
            found = found.filter(spoc_id=ownership.staff_spoc_id(user))
        return found.exists()

    def readable(self, user: Any, request_ids: set[int]) -> set[int]:
        if not request_ids:
            return set()
        found = TaskingRequest.objects.accessible_to(user).filter(pk__in=request_ids)
        return set(found.values_list("pk", flat=True))

    def targets(self, request_ids: set[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        if not request_ids:
            return found
        pairs = TaskingRequest.objects.filter(pk__in=request_ids).values_list(
            "pk", "targets__space_object_id"
        )
        for request_id, object_id in pairs:
            if object_id is not None:
                found.setdefault(request_id, []).append(object_id)
        return found
