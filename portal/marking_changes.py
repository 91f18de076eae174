"""Markings change one way: a raise by anyone who may write the record, a downgrade only by the
security officer, with a reason, audited as a downgrade.

`check_change` is the one decision; the serializer mixin (`portal.api.base`), the form mixin
(`portal.forms`), the downgrade page and API action, and the admin's marking field all call it.
A raise keeps the level at least as high and releases to no nation the record was not
released to (`Marking.no_looser_than`); anything else lowers the level, widens releasability
or removes NOFORN, and is a downgrade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from portal.errors import DomainError
from portal.markings.marking import Marking
from portal.models.accounts import Role

DOWNGRADE_ATTRIBUTE = "_marking_downgrade"


class MarkingChangeRefused(DomainError):
    status = 403
    code = "marking_change_refused"


@dataclass(frozen=True)
class MarkingChange:
    before: Marking | None
    after: Marking
    reason: str = ""

    @property
    def is_downgrade(self) -> bool:
        return self.before is not None and not self.after.no_looser_than(self.before)

    def audit_detail(self) -> dict[str, str]:
        return {
            "from": self.before.banner if self.before else "",
            "to": self.after.banner,
            "reason": self.reason,
        }


def may_downgrade(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.SECURITY_OFFICER))


def check_readable(user: Any, marking: Marking) -> None:
    refusal = marking.refusal_for(user) if user is not None else None
    if refusal:
        raise MarkingChangeRefused(refusal, field="marking")


def check_change(user: Any, before: Marking | None, after: Marking, reason: str = "") -> MarkingChange:
    """Allow `user` to move a record from `before` (None: a new record) to `after`, or refuse
    with a message naming the field."""
    check_readable(user, after)
    change = MarkingChange(before, after, (reason or "").strip())
    if not change.is_downgrade:
        return change
    assert before is not None
    if not may_downgrade(user):
        raise MarkingChangeRefused(
            f"Changing the marking from {before.banner} to {after.banner} is a downgrade. "
            "Only the security officer may downgrade a marking.",
            field="marking",
        )
    if not change.reason:
        raise MarkingChangeRefused("A downgrade needs a reason.", field="marking_reason")
    return change


def apply(instance: Any, change: MarkingChange) -> None:
    """Set the marking on `instance`; a downgrade is recorded as such when it is saved."""
    instance.marking = change.after
    if change.is_downgrade:
        setattr(instance, DOWNGRADE_ATTRIBUTE, change)


def pending_downgrade(instance: Any) -> MarkingChange | None:
    """The downgrade being saved with `instance`, taken once (the audit trail's hook)."""
    change = instance.__dict__.pop(DOWNGRADE_ATTRIBUTE, None)
    return change if isinstance(change, MarkingChange) else None


def downgrade(instance: Any, user: Any, after: Marking, reason: str) -> MarkingChange:
    """The security officer's downgrade (or raise) of one record, saved and audited."""
    change = check_change(user, instance.marking, after, reason)
    if change.before is not None and change.before == change.after:
        raise MarkingChangeRefused("The record already has this marking.", field="marking")
    apply(instance, change)
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise MarkingChangeRefused("; ".join(exc.messages), field="marking") from exc
    instance.save()
    return change
