"""Every create, update and delete of a record in the portal's apps goes to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import audit, marking_changes
from portal.models.audit import AuditAction


@receiver(post_save)
def audit_save(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not audit.is_audited(sender):
        return
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) == {"last_login"}:
        return  # the sign-in itself is the event (audit_login)
    detail: dict[str, Any] = {"fields": sorted(fields)} if fields else {}
    downgrade = marking_changes.pending_downgrade(instance)
    if downgrade is not None:
        audit.record(AuditAction.DOWNGRADE, instance, detail={**detail, **downgrade.audit_detail()})
        return
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, instance, detail=detail or None)


@receiver(post_delete)
def audit_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if audit.is_audited(sender):
        audit.record(AuditAction.DELETE, instance)


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.set_user(user)
    audit.record(AuditAction.LOGIN, detail={"username": user.get_username()})


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.set_user(user)
    audit.record(AuditAction.LOGOUT)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit.record(AuditAction.LOGIN_FAILED, detail={"username": str(credentials.get("username", ""))[:150]})
