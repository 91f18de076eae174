"""Granting, changing and revoking users' access, with separation of duties and a history.

The rules: only an active security officer requests or decides a change; nobody changes their
own access or decides a change they requested; nobody grants a clearance above their own; a
grant of TOP SECRET and any change of nationality wait for a second security officer. A change
comes into force at the later of its effective time and its approval, never earlier, so the
history cannot be back-dated. It is applied to the user row on the user's next request (the
middleware and the token authentication call `apply_due_changes`) or by the periodic sweep,
whichever comes first; the user row is what every access check reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from portal import audit
from portal.markings.marking import Level
from portal.markings.nations import NATION_NAMES
from portal.models import (
    AccessChange,
    AccessChangeKind,
    AccessChangeStatus,
    AuditAction,
    Role,
    SpOC,
    User,
)

ACCESS_FIELDS = ("clearance", "nationality", "spoc", "role", "is_active")


class AccessChangeRefused(Exception):
    """A change the rules do not allow; the message says which rule."""


@dataclass(frozen=True)
class AccessProfile:
    clearance: int
    nationality: str
    spoc: int | None
    role: str
    is_active: bool

    @classmethod
    def of(cls, user: User) -> AccessProfile:
        return cls(int(user.clearance), user.nationality, user.spoc_id, user.role, user.is_active)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccessProfile:
        return cls(**{name: data[name] for name in ACCESS_FIELDS})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ACCESS_FIELDS}

    def with_changes(self, changes: dict[str, Any]) -> AccessProfile:
        return AccessProfile.from_dict({**self.as_dict(), **changes})

    @property
    def clearance_label(self) -> str:
        return Level(self.clearance).banner

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def spoc_name(self) -> str:
        if self.spoc is None:
            return ""
        spoc = SpOC.objects.filter(pk=self.spoc).first()
        return spoc.name if spoc else f"SpOC {self.spoc}"


@contextlib.contextmanager
def _acting(actor: Any) -> Iterator[None]:
    """The audit trail names the officer who acts, in a request or not."""
    current = audit.current_actor()
    if getattr(current.user, "pk", None) == actor.pk:
        yield
        return
    named = audit.Actor(
        user=actor, name=actor.get_username(), remote_addr=current.remote_addr, path=current.path
    )
    with audit.acting_as(named):
        yield


def _is_security_officer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.SECURITY_OFFICER)


def needs_approval(current: AccessProfile, changes: dict[str, Any]) -> bool:
    """A grant of TOP SECRET or a change of nationality needs a second security officer."""
    grants_top_secret = changes.get("clearance") == Level.TOP_SECRET and current.clearance < Level.TOP_SECRET
    return grants_top_secret or "nationality" in changes


def _check_profile(user: User, profile: AccessProfile) -> None:
    """The resulting access must make a valid user (US-only roles, staff belong to a SpOC)."""
    if profile.nationality not in NATION_NAMES:
        raise AccessChangeRefused(f"{profile.nationality!r} is not a registered nation")
    if profile.clearance not in {int(level) for level in Level}:
        raise AccessChangeRefused(f"{profile.clearance!r} is not a clearance level")
    if profile.role not in Role.values:
        raise AccessChangeRefused(f"{profile.role!r} is not a role")
    candidate = User(
        username=user.username,
        clearance=profile.clearance,
        nationality=profile.nationality,
        spoc_id=profile.spoc,
        role=profile.role,
    )
    try:
        candidate.clean()
    except ValidationError as exc:
        raise AccessChangeRefused(" ".join(exc.messages)) from exc


def _check_actor(actor: Any, user: User, changes: dict[str, Any]) -> None:
    if not _is_security_officer(actor):
        raise AccessChangeRefused("Only a security officer changes users' access.")
    if actor.pk == user.pk:
        raise AccessChangeRefused("Nobody changes their own access.")
    clearance = changes.get("clearance")
    if clearance is not None and clearance > actor.clearance:
        raise AccessChangeRefused("Nobody grants a clearance above their own.")


def request_change(
    actor: Any,
    user: User,
    desired: dict[str, Any],
    *,
    reason: str,
    effective_at: dt.datetime | None = None,
    kind: str | None = None,
) -> AccessChange:
    """Ask for `user`'s access to become `desired` (any of ACCESS_FIELDS; fields equal to the
    current access are ignored). Applied at once when due and no approval is needed."""
    reason = (reason or "").strip()
    if not reason:
        raise AccessChangeRefused("A change of access needs a reason.")
    unknown = set(desired) - set(ACCESS_FIELDS)
    if unknown:
        raise AccessChangeRefused(f"not an access field: {', '.join(sorted(unknown))}")
    current = AccessProfile.of(user)
    changes = {name: value for name, value in desired.items() if getattr(current, name) != value}
    if not changes:
        raise AccessChangeRefused("This changes nothing.")
    _check_actor(actor, user, changes)
    _check_profile(user, current.with_changes(changes))
    if kind is None:
        kind = AccessChangeKind.CHANGED
        if changes.get("is_active") is False:
            kind = AccessChangeKind.DEACTIVATED
        elif changes.get("is_active") is True:
            kind = AccessChangeKind.REACTIVATED
    now = timezone.now()
    effective_at = effective_at or now
    approval = needs_approval(current, changes)
    with _acting(actor), transaction.atomic():
        change = AccessChange.objects.create(
            user=user,
            kind=kind,
            changes=changes,
            reason=reason,
            effective_at=effective_at,
            requested_by=actor,
            needs_approval=approval,
            status=AccessChangeStatus.PENDING if approval else AccessChangeStatus.APPROVED,
            in_force_at=None if approval else max(effective_at, now),
        )
        if not approval:
            _schedule(user)
    apply_due_changes(user)
    change.refresh_from_db()
    return change


def create_user(
    actor: Any,
    *,
    username: str,
    email: str,
    password: str,
    nationality: str,
    access: dict[str, Any],
    reason: str,
    effective_at: dt.datetime | None = None,
) -> tuple[User, AccessChange | None]:
    """A new account with no clearance or role of its own nationality; the access asked for
    follows as an ordinary change (waiting for approval if it grants TOP SECRET)."""
    if not _is_security_officer(actor):
        raise AccessChangeRefused("Only a security officer creates users.")
    if not (reason or "").strip():
        raise AccessChangeRefused("Creating a user needs a reason.")
    if User.objects.filter(username__iexact=username).exists():
        raise AccessChangeRefused(f"A user named {username!r} exists already.")
    if nationality not in NATION_NAMES:
        raise AccessChangeRefused(f"{nationality!r} is not a registered nation")
    with _acting(actor), transaction.atomic():
        user = User(
            username=username,
            email=email,
            nationality=nationality,
            clearance=Level.UNCLASSIFIED,
            role=Role.NONE,
        )
        user.set_password(password)
        user.save()
        now = timezone.now()
        AccessChange.objects.create(
            user=user,
            kind=AccessChangeKind.CREATED,
            changes={"nationality": nationality},
            reason=reason.strip(),
            effective_at=now,
            requested_by=actor,
            status=AccessChangeStatus.APPLIED,
            in_force_at=now,
            applied_at=now,
            after=AccessProfile.of(user).as_dict(),
        )
        change = None
        current = AccessProfile.of(user).as_dict()
        wanted = {name: value for name, value in access.items() if current[name] != value}
        if wanted:
            change = request_change(actor, user, wanted, reason=reason, effective_at=effective_at)
    return user, change


def approve(actor: Any, change: AccessChange, note: str = "") -> AccessChange:
    return _decide(actor, change, approved=True, note=note)


def refuse(actor: Any, change: AccessChange, note: str) -> AccessChange:
    if not (note or "").strip():
        raise AccessChangeRefused("Refusing a change needs a reason.")
    return _decide(actor, change, approved=False, note=note)


def _decide(actor: Any, change: AccessChange, *, approved: bool, note: str) -> AccessChange:
    if not _is_security_officer(actor):
        raise AccessChangeRefused("Only a security officer decides a change of access.")
    if actor.pk in (change.requested_by_id, change.user_id):
        raise AccessChangeRefused("A second security officer, not the requester or the user, decides.")
    clearance = change.changes.get("clearance")
    if approved and clearance is not None and clearance > actor.clearance:
        raise AccessChangeRefused("Nobody approves a clearance above their own.")
    now = timezone.now()
    with _acting(actor), transaction.atomic():
        updated = AccessChange.objects.filter(pk=change.pk, status=AccessChangeStatus.PENDING).update(
            status=AccessChangeStatus.APPROVED if approved else AccessChangeStatus.REFUSED,
            decided_by=actor,
            decided_at=now,
            decision_note=(note or "").strip(),
            in_force_at=max(change.effective_at, now) if approved else None,
        )
        if updated != 1:
            raise AccessChangeRefused("This change has been decided already.")
        change.refresh_from_db()
        audit.record(AuditAction.UPDATE, change, detail={"decision": change.status})
        if approved:
            _schedule(change.user)
    if approved:
        apply_due_changes(change.user)
        change.refresh_from_db()
    return change


def _schedule(user: User) -> None:
    due = AccessChange.objects.filter(user=user, status=AccessChangeStatus.APPROVED).aggregate(
        due=Min("in_force_at")
    )["due"]
    User.objects.filter(pk=user.pk).update(access_change_due=due)
    user.access_change_due = due


def apply_due_changes(user: User, now: dt.datetime | None = None) -> int:
    """Write every approved change of `user` that is in force by `now` to the user row, in
    order; returns how many. A change that no longer makes a valid user is refused."""
    now = now or timezone.now()
    applied = 0
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        due = AccessChange.objects.filter(
            user=locked, status=AccessChangeStatus.APPROVED, in_force_at__lte=now
        ).order_by("in_force_at", "id")
        for change in due:
            before = AccessProfile.of(locked)
            after = before.with_changes(change.changes)
            try:
                _check_profile(locked, after)
            except AccessChangeRefused as exc:
                change.status = AccessChangeStatus.REFUSED
                change.decision_note = f"Not applied: {exc}"
                change.save(update_fields=["status", "decision_note"])
                continue
            locked.clearance = after.clearance
            locked.nationality = after.nationality
            locked.spoc_id = after.spoc
            locked.role = after.role
            locked.is_active = after.is_active
            locked.save(update_fields=["clearance", "nationality", "spoc", "role", "is_active"])
            change.status = AccessChangeStatus.APPLIED
            change.applied_at = now
            change.before = before.as_dict()
            change.after = after.as_dict()
            change.save(update_fields=["status", "applied_at", "before", "after"])
            applied += 1
        _schedule(locked)
    if applied:
        user.refresh_from_db()
    else:
        user.access_change_due = locked.access_change_due
    return applied


def apply_if_due(user: Any, now: dt.datetime | None = None) -> bool:
    """What each request calls: True when changes of `user` came into force and were applied
    (the instance then holds the new access)."""
    due = getattr(user, "access_change_due", None)
    now = now or timezone.now()
    return due is not None and due <= now and apply_due_changes(user, now) > 0


def apply_all_due_changes(now: dt.datetime | None = None) -> int:
    """The periodic sweep: apply due changes of every user, signed in or not."""
    now = now or timezone.now()
    total = 0
    for user in User.objects.filter(access_change_due__lte=now):
        total += apply_due_changes(user, now)
    return total


def access_on(user: User, moment: dt.datetime | dt.date) -> AccessProfile | None:
    """`user`'s access in force at `moment` (a date means the end of that UTC day), or None
    before the account existed."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time.max, tzinfo=dt.UTC)
    if user.date_joined > moment:
        return None
    applied = AccessChange.objects.filter(user=user, status=AccessChangeStatus.APPLIED)
    last = applied.filter(in_force_at__lte=moment).order_by("-in_force_at", "-id").first()
    if last is not None:
        return AccessProfile.from_dict(last.after)
    first = applied.filter(in_force_at__gt=moment).order_by("in_force_at", "id").first()
    if first is not None and first.before:
        return AccessProfile.from_dict(first.before)
    if first is not None:
        return None  # created through these pages after `moment`
    return AccessProfile.of(user)
