"""The life of a tasking request: every state change allowed, who may make it, and nothing else.

Plain Python, no database: the services apply a transition found here with a conditional
UPDATE. Anything not listed in TRANSITIONS is refused, with the reason in words.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from portal.errors import Conflict, DomainError, NotAllowed
from tasking.choices import Actor, RequestAction, RequestKind, RequestStatus

S = RequestStatus
A = RequestAction
BOTH_KINDS = frozenset({RequestKind.REQUEST, RequestKind.DIRECT})
REQUESTS_ONLY = frozenset({RequestKind.REQUEST})


class TransitionRefused(Conflict):
    """The request's state (or kind) does not allow this action now."""

    code = "transition_refused"


@dataclass(frozen=True)
class Transition:
    action: RequestAction
    sources: frozenset[RequestStatus]
    target: RequestStatus
    actors: frozenset[Actor]
    kinds: frozenset[RequestKind] = BOTH_KINDS
    needs_reason: bool = False
    needs_window: bool = False


def _t(
    action: RequestAction,
    sources: Iterable[RequestStatus],
    target: RequestStatus,
    *actors: Actor,
    kinds: frozenset[RequestKind] = BOTH_KINDS,
    needs_reason: bool = False,
    needs_window: bool = False,
) -> Transition:
    return Transition(
        action, frozenset(sources), target, frozenset(actors), kinds, needs_reason, needs_window
    )


# Being worked on by the partner: observations counted against the request move it forward.
IN_EXECUTION = frozenset({S.ACCEPTED, S.SCHEDULED, S.COLLECTED, S.DELIVERED})
# Ended without what was asked for: the SSN may be tasked instead.
UNMET = frozenset({S.REJECTED, S.EXPIRED, S.FAILED, S.PARTIAL})
# Waiting for an answer from the other side, with a deadline.
AWAITING_ANSWER = frozenset({S.SUBMITTED, S.PROPOSED})
FINAL = frozenset({S.FULFILLED, S.CANCELLED})

TRANSITIONS: dict[RequestAction, Transition] = {
    t.action: t
    for t in (
        _t(A.SUBMIT, {S.DRAFT}, S.SUBMITTED, Actor.OPERATOR),
        _t(
            A.CANCEL, {S.DRAFT, S.SUBMITTED, S.PROPOSED, S.ACCEPTED, S.SCHEDULED}, S.CANCELLED, Actor.OPERATOR
        ),
        _t(A.ACCEPT, {S.SUBMITTED}, S.ACCEPTED, Actor.PARTNER),
        # A direct tasking is an order under a sensor-level agreement: no refusal, no haggling.
        _t(A.REJECT, {S.SUBMITTED}, S.REJECTED, Actor.PARTNER, kinds=REQUESTS_ONLY, needs_reason=True),
        _t(A.PROPOSE, {S.SUBMITTED}, S.PROPOSED, Actor.PARTNER, kinds=REQUESTS_ONLY, needs_window=True),
        _t(A.ACCEPT_PROPOSAL, {S.PROPOSED}, S.ACCEPTED, Actor.OPERATOR, kinds=REQUESTS_ONLY),
        # Declining hands the request back to the partner, who may answer again before the deadline.
        _t(A.DECLINE_PROPOSAL, {S.PROPOSED}, S.SUBMITTED, Actor.OPERATOR, kinds=REQUESTS_ONLY),
        _t(A.SCHEDULE, {S.ACCEPTED}, S.SCHEDULED, Actor.PARTNER),
        _t(A.COLLECT, {S.ACCEPTED, S.SCHEDULED}, S.COLLECTED, Actor.PARTNER),
        _t(A.DELIVER, {S.ACCEPTED, S.SCHEDULED, S.COLLECTED}, S.DELIVERED, Actor.PARTNER),
        _t(A.FAIL, IN_EXECUTION, S.FAILED, Actor.PARTNER, Actor.SYSTEM, needs_reason=True),
        # A retasked request moves on as its SSN tasks are reported, by the same counting rules.
        _t(A.RECORD_PARTIAL, IN_EXECUTION | {S.RETASKED}, S.PARTIAL, Actor.SYSTEM),
        _t(A.RECORD_FULFILLED, IN_EXECUTION | {S.PARTIAL, S.RETASKED}, S.FULFILLED, Actor.SYSTEM),
        _t(A.SSN_FAILED, {S.RETASKED}, S.FAILED, Actor.SYSTEM, needs_reason=True),
        _t(A.EXPIRE, AWAITING_ANSWER, S.EXPIRED, Actor.SYSTEM),
        _t(A.RETASK, UNMET, S.RETASKED, Actor.OPERATOR, Actor.SYSTEM),
    )
}
assert set(TRANSITIONS) == set(RequestAction), "every action has exactly one transition"


def transition_for(action: str, status: str, kind: str, actor: str) -> Transition:
    """The transition `actor` may make with `action` on a `kind` request in `status`, or a refusal."""
    try:
        transition = TRANSITIONS[RequestAction(action)]
    except ValueError:
        raise DomainError(f"Unknown action {action!r}.", field="action") from None
    label = transition.action.label.lower()
    if Actor(actor) not in transition.actors:
        sides = " or ".join(Actor(a).label for a in sorted(transition.actors))
        raise NotAllowed(f"Only the {sides} may {label}.", field="action")
    if RequestKind(kind) not in transition.kinds:
        if transition.action == A.REJECT:
            raise TransitionRefused(
                "A direct tasking is an order under a sensor-level agreement: it cannot be rejected, "
                "only reported failed.",
                field="action",
            )
        raise TransitionRefused(f"A direct tasking cannot {label}.", field="action")
    if RequestStatus(status) not in transition.sources:
        raise TransitionRefused(
            f"A request that is {RequestStatus(status).label.lower()} cannot {label}.", field="action"
        )
    return transition


def can(action: str, status: str, kind: str, actor: str) -> bool:
    try:
        transition_for(action, status, kind, actor)
    except DomainError:
        return False
    return True


def actions_for(status: str, kind: str, actor: str) -> list[RequestAction]:
    """What `actor` may do now, in the order of RequestAction (for buttons and the API)."""
    return list(_actions_for(str(status), str(kind), str(actor)))


@functools.cache
def _actions_for(status: str, kind: str, actor: str) -> tuple[RequestAction, ...]:
    return tuple(action for action in RequestAction if can(action, status, kind, actor))
