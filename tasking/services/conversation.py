"""The thread on a request. A message is never marked less restrictively than its request."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from portal.errors import DomainError, NotAllowed
from portal.markings.marking import Marking
from tasking.choices import NotificationKind
from tasking.models import RequestMessage, TaskingRequest
from tasking.services import notify
from tasking.services.elements import covered_by
from tasking.services.transitions import side_of

MAX_LENGTH = 10_000


def post_message(request: TaskingRequest, by: Any, body: str, marking: Marking) -> RequestMessage:
    side_of(by, request)  # NotAllowed for anyone not on either side of this request
    body = body.strip()
    if not body:
        raise DomainError("Write something.", field="body")
    if len(body) > MAX_LENGTH:
        raise DomainError(f"At most {MAX_LENGTH} characters.", field="body")
    refusal = marking.refusal_for(by, "message")
    if refusal:
        raise NotAllowed(refusal)
    if not covered_by(request.marking, marking):
        raise DomainError(
            f"A message on a {request.marking.banner} request is marked at least as restrictively "
            f"({marking.banner} is not).",
            field="marking",
        )
    with transaction.atomic():
        message = RequestMessage(
            request=request, author=by, author_name=by.get_username(), author_spoc=by.spoc, body=body
        )
        message.marking = marking
        message.save()
        others = [p for p in notify.partner_staff(request) + notify.requester_side(request) if p.pk != by.pk]
        notify.notify(
            others, NotificationKind.MESSAGE, request, f"New message on {request.reference}", marking=marking
        )
    return message
