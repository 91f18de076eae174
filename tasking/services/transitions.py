"""Applying the state machine to stored requests: one conditional UPDATE per step, so two people
answering at once cannot both win, then the history, the audit trail and the notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.errors import Conflict, DomainError, NotAllowed
from portal.models.audit import AuditAction
from tasking import workflow
from tasking.choices import (
    Actor,
    FailureReason,
    NotificationKind,
    RejectReason,
    RequestAction,
    RequestStatus,
)
from tasking.models import RequestEvent, RequestWindow, TaskingRequest, is_operator
from tasking.services import notify
from tasking.services.retask_queue import queue_retasking
from tasking.services.windows import check_window

A = RequestAction
S = RequestStatus
FIRST_ANSWERS = frozenset({A.ACCEPT, A.REJECT, A.PROPOSE})
CLOSING = frozenset({S.FULFILLED, S.CANCELLED, S.RETASKED, S.FAILED, S.REJECTED, S.EXPIRED, S.PARTIAL})


def side_of(user: Any, request: TaskingRequest) -> Actor:
    """Which side `user` acts for on `request`; NotAllowed when neither."""
    if is_operator(user) and request.allows(user):
        return Actor.OPERATOR
    if TaskingRequest.objects.answerable_by(user).filter(pk=request.pk).exists():
        return Actor.PARTNER
    raise NotAllowed("You cannot act on this request.")


def _check_details(
    transition: workflow.Transition,
    reason_code: str,
    text: str,
    window: tuple[dt.datetime, dt.datetime] | None,
    now: dt.datetime,
) -> None:
    if transition.action == A.REJECT:
        if reason_code not in RejectReason.values:
            raise DomainError("Choose the reason for rejecting.", field="reason_code")
        if reason_code == RejectReason.OTHER and not text.strip():
            raise DomainError("Say why in the text.", field="text")
    if transition.action in {A.FAIL, A.SSN_FAILED}:
        if reason_code not in FailureReason.values:
            raise DomainError("Choose the reason for the failure.", field="reason_code")
        if reason_code == FailureReason.OTHER and not text.strip():
            raise DomainError("Say why in the text.", field="text")
    if transition.needs_window:
        if window is None or window[0] is None or window[1] is None:
            raise DomainError("Give the alternative window's start and end.", field="proposed_start")
        check_window(window[0], window[1], now, field="proposed_end", name="The alternative window")


def apply(
    request: TaskingRequest,
    action: str,
    *,
    by: Any = None,
    side: Actor | None = None,
    reason_code: str = "",
    text: str = "",
    window: tuple[dt.datetime, dt.datetime] | None = None,
    now: dt.datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> TaskingRequest:
    """Move `request` by `action`. `by` is the person (None for the portal itself, with side=SYSTEM)."""
    now = now or timezone.now()
    if side is None:
        side = side_of(by, request)
    transition = workflow.transition_for(action, request.status, request.kind, side)
    _check_details(transition, reason_code, text.strip(), window, now)
    if transition.action == A.RETASK and side == Actor.OPERATOR:
        # The operator asks; the request moves to retasked when a run has booked SSN tracks.
        queue_retasking()
        return request
    old = request.status
    fields: dict[str, Any] = {"status": transition.target, "updated": now, **(extra or {})}
    if transition.action == A.SUBMIT:
        fields["submitted_at"] = now
    if transition.action in FIRST_ANSWERS:
        if request.answered_at is None:
            fields["answered_at"] = now
        if not request.first_answer:
            fields["first_answer"] = transition.target
    if transition.action == A.REJECT:
        fields.update(reject_reason=reason_code, reason_text=text.strip())
    if transition.action in {A.FAIL, A.SSN_FAILED}:
        fields.update(failure_reason=reason_code, reason_text=text.strip())
    if transition.action == A.PROPOSE:
        assert window is not None
        fields.update(proposed_start=window[0], proposed_end=window[1], reason_text=text.strip())
    if transition.action == A.DECLINE_PROPOSAL:
        fields.update(proposed_start=None, proposed_end=None)
    if transition.target in CLOSING:
        fields["closed_at"] = now
    with transaction.atomic():
        moved = TaskingRequest.objects.filter(pk=request.pk, status=old).update(**fields)
        if moved != 1:
            current = TaskingRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
            label = S(current).label.lower() if current else "gone"
            raise Conflict(f"Someone else acted on this request first: it is now {label}. Reload it.")
        if transition.action == A.ACCEPT_PROPOSAL:
            assert request.proposed_start is not None and request.proposed_end is not None
            RequestWindow.objects.filter(request=request).delete()
            RequestWindow.objects.create(
                request=request, start=request.proposed_start, end=request.proposed_end
            )
        user = by if getattr(by, "is_authenticated", False) else None
        RequestEvent.objects.create(
            request=request,
            at=now,
            actor=user,
            actor_name=user.get_username() if user else audit.current_actor().name,
            side=side,
            action=transition.action,
            from_status=old,
            to_status=transition.target,
            reason_code=reason_code,
            text=text.strip(),
            proposed_start=window[0] if window else None,
            proposed_end=window[1] if window else None,
        )
        # Reloaded with the SpOC and the requester the announcement names and tells, in one query.
        request.refresh_from_db(
            from_queryset=TaskingRequest._base_manager.select_related("spoc", "requested_by")
        )
        audit.record(
            AuditAction.UPDATE,
            request,
            detail={
                "action": transition.action,
                "status": [old, transition.target],
                "side": side,
                **({"reason_code": reason_code} if reason_code else {}),
                **({"text": text.strip()} if text.strip() else {}),
            },
        )
        _announce(request, transition, side)
        if transition.target in workflow.UNMET:
            queue_retasking()
    return request


def _announce(request: TaskingRequest, transition: workflow.Transition, side: Actor) -> None:
    ref = request.reference
    status = S(transition.target).label.lower()
    if transition.action == A.SUBMIT:
        from tasking.services.staff import grant_to_spoc_staff

        grant_to_spoc_staff(request)
        notify.notify(
            notify.partner_staff(request),
            NotificationKind.NEW_REQUEST,
            request,
            f"New {'direct tasking' if request.is_direct else 'request'} {ref}: {request.title}",
        )
    elif transition.action == A.EXPIRE:
        everyone = notify.requester_side(request) + notify.partner_staff(request)
        notify.notify(everyone, NotificationKind.EXPIRED, request, f"{ref} expired without an answer")
    elif transition.action == A.DECLINE_PROPOSAL:
        notify.notify(
            notify.partner_staff(request),
            NotificationKind.ANSWER,
            request,
            f"{ref}: the alternative window was declined; please answer again",
        )
    elif side == Actor.PARTNER:
        notify.notify(
            notify.requester_side(request),
            NotificationKind.ANSWER,
            request,
            f"{ref} {status} by {request.spoc}",
        )
    elif side == Actor.SYSTEM and transition.target in {S.FULFILLED, S.PARTIAL, S.FAILED}:
        notify.notify(
            notify.requester_side(request) + notify.partner_staff(request),
            NotificationKind.FULFILMENT,
            request,
            f"{ref} {status}",
        )
    elif side == Actor.OPERATOR and transition.action in {A.CANCEL, A.ACCEPT_PROPOSAL}:
        notify.notify(
            notify.partner_staff(request), NotificationKind.ANSWER, request, f"{ref} {status} by the US"
        )
