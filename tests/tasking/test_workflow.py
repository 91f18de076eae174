"""The state machine, exhaustively: every (action, status, kind, side) is either in the table
below and allowed, or refused with a reason. The table is written out by hand on purpose."""

from __future__ import annotations

import itertools

import pytest

from portal.errors import DomainError, NotAllowed
from tasking.choices import Actor, RequestAction, RequestKind, RequestStatus
from tasking.workflow import TransitionRefused, actions_for, transition_for

S, A, K = RequestStatus, RequestAction, RequestKind
OP, PA, SY = Actor.OPERATOR, Actor.PARTNER, Actor.SYSTEM
EXECUTING = [S.ACCEPTED, S.SCHEDULED, S.COLLECTED, S.DELIVERED]

# (action, from status, kinds, sides) -> to status
ALLOWED: dict[tuple[RequestAction, RequestStatus], tuple[set[RequestKind], set[Actor], RequestStatus]] = {
    (A.SUBMIT, S.DRAFT): ({K.REQUEST, K.DIRECT}, {OP}, S.SUBMITTED),
    **{
        (A.CANCEL, s): ({K.REQUEST, K.DIRECT}, {OP}, S.CANCELLED)
        for s in [S.DRAFT, S.SUBMITTED, S.PROPOSED, S.ACCEPTED, S.SCHEDULED]
    },
    (A.ACCEPT, S.SUBMITTED): ({K.REQUEST, K.DIRECT}, {PA}, S.ACCEPTED),
    (A.REJECT, S.SUBMITTED): ({K.REQUEST}, {PA}, S.REJECTED),
    (A.PROPOSE, S.SUBMITTED): ({K.REQUEST}, {PA}, S.PROPOSED),
    (A.ACCEPT_PROPOSAL, S.PROPOSED): ({K.REQUEST}, {OP}, S.ACCEPTED),
    (A.DECLINE_PROPOSAL, S.PROPOSED): ({K.REQUEST}, {OP}, S.SUBMITTED),
    (A.SCHEDULE, S.ACCEPTED): ({K.REQUEST, K.DIRECT}, {PA}, S.SCHEDULED),
    **{(A.COLLECT, s): ({K.REQUEST, K.DIRECT}, {PA}, S.COLLECTED) for s in [S.ACCEPTED, S.SCHEDULED]},
    **{
        (A.DELIVER, s): ({K.REQUEST, K.DIRECT}, {PA}, S.DELIVERED)
        for s in [S.ACCEPTED, S.SCHEDULED, S.COLLECTED]
    },
    **{(A.FAIL, s): ({K.REQUEST, K.DIRECT}, {PA, SY}, S.FAILED) for s in EXECUTING},
    **{(A.RECORD_PARTIAL, s): ({K.REQUEST, K.DIRECT}, {SY}, S.PARTIAL) for s in [*EXECUTING, S.RETASKED]},
    **{
        (A.RECORD_FULFILLED, s): ({K.REQUEST, K.DIRECT}, {SY}, S.FULFILLED)
        for s in [*EXECUTING, S.PARTIAL, S.RETASKED]
    },
    (A.SSN_FAILED, S.RETASKED): ({K.REQUEST, K.DIRECT}, {SY}, S.FAILED),
    **{(A.EXPIRE, s): ({K.REQUEST, K.DIRECT}, {SY}, S.EXPIRED) for s in [S.SUBMITTED, S.PROPOSED]},
    **{
        (A.RETASK, s): ({K.REQUEST, K.DIRECT}, {OP, SY}, S.RETASKED)
        for s in [S.REJECTED, S.EXPIRED, S.FAILED, S.PARTIAL]
    },
}

ALL = list(itertools.product(RequestAction, RequestStatus, RequestKind, Actor))


def expected(
    action: RequestAction, status: RequestStatus, kind: RequestKind, side: Actor
) -> RequestStatus | None:
    rule = ALLOWED.get((action, status))
    if rule is None:
        return None
    kinds, sides, target = rule
    return target if kind in kinds and side in sides else None


def test_every_allowed_transition_goes_where_the_table_says() -> None:
    mismatches = []
    for action, status, kind, side in ALL:
        target = expected(action, status, kind, side)
        if target is None:
            continue
        try:
            found = transition_for(action, status, kind, side).target
        except DomainError as exc:
            mismatches.append(f"{action} from {status} ({kind}, {side}): refused ({exc.message})")
            continue
        if found != target:
            mismatches.append(
                f"{action} from {status} ({kind}, {side}): went to {found}, table says {target}"
            )
    assert not mismatches, "\n".join(mismatches)


def test_every_other_transition_is_refused_with_a_reason() -> None:
    mismatches = []
    for action, status, kind, side in ALL:
        if expected(action, status, kind, side) is not None:
            continue
        case = f"{action} from {status} ({kind}, {side})"
        try:
            found = transition_for(action, status, kind, side)
        except DomainError as refused:
            if not refused.message:
                mismatches.append(f"{case}: refused without a reason")
            if not isinstance(refused, TransitionRefused | NotAllowed):
                mismatches.append(f"{case}: refused as {type(refused).__name__}")
            continue
        mismatches.append(f"{case}: allowed, to {found.target}")
    assert not mismatches, "\n".join(mismatches)


def test_the_wrong_side_is_not_allowed_rather_than_in_the_wrong_state() -> None:
    with pytest.raises(NotAllowed):
        transition_for(A.ACCEPT, S.SUBMITTED, K.REQUEST, OP)
    with pytest.raises(NotAllowed):
        transition_for(A.EXPIRE, S.SUBMITTED, K.REQUEST, PA)


def test_a_direct_tasking_cannot_be_rejected_but_can_be_reported_failed() -> None:
    with pytest.raises(TransitionRefused, match="order"):
        transition_for(A.REJECT, S.SUBMITTED, K.DIRECT, PA)
    with pytest.raises(TransitionRefused):
        transition_for(A.PROPOSE, S.SUBMITTED, K.DIRECT, PA)
    assert transition_for(A.FAIL, S.ACCEPTED, K.DIRECT, PA).target == S.FAILED


def test_terminal_states_allow_nothing() -> None:
    for status in (S.FULFILLED, S.CANCELLED):
        for side in Actor:
            assert actions_for(status, K.REQUEST, side) == []


def test_a_retasked_request_moves_on_only_by_its_ssn_task_reports() -> None:
    assert actions_for(S.RETASKED, K.REQUEST, OP) == []
    assert actions_for(S.RETASKED, K.REQUEST, PA) == []
    assert actions_for(S.RETASKED, K.REQUEST, SY) == [A.RECORD_PARTIAL, A.RECORD_FULFILLED, A.SSN_FAILED]


def test_buttons_offered_to_a_partner_on_a_new_request() -> None:
    assert actions_for(S.SUBMITTED, K.REQUEST, PA) == [A.ACCEPT, A.REJECT, A.PROPOSE]
    assert actions_for(S.SUBMITTED, K.DIRECT, PA) == [A.ACCEPT]


def test_unknown_actions_are_a_clear_error() -> None:
    with pytest.raises(DomainError, match="Unknown action"):
        transition_for("launch", S.SUBMITTED, K.REQUEST, OP)
