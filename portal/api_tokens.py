"""Issuing, checking and revoking API tokens.

A token acts for its user, and only while the user belongs to the SpOC the token was issued
for: a user moved to another SpOC (or deactivated) has every older token stop working at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.access import apply_if_due
from portal.models import ApiToken, User

DEFAULT_DAYS = 90
MAX_DAYS = 365
# A token's last use is written at most this often, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenRefused(Exception):
    """A token that cannot be issued or used; the message says why."""


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user: User, *, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for `user`'s SpOC; returns it and its key (shown once, never stored)."""
    if not user.is_active:
        raise TokenRefused(f"{user.username} is not an active user.")
    if user.spoc_id is None:
        raise TokenRefused(f"{user.username} belongs to no SpOC; a token is bound to one.")
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(f"A token lasts from 1 to {MAX_DAYS} days, not {days}.")
    name = (name or "").strip() or "API token"
    key = secrets.token_urlsafe(30)
    now = timezone.now()
    token = ApiToken.objects.create(
        created=now,
        user=user,
        spoc_id=user.spoc_id,
        name=name[:80],
        prefix=key[:8],
        digest=digest_of(key),
        expires_at=now + dt.timedelta(days=days),
    )
    return token, key


def revoke(user: User, token: ApiToken) -> None:
    """`user` revokes their own token (a security officer or superuser uses the admin)."""
    if token.user_id != user.pk and not user.is_superuser:
        raise TokenRefused("Only its owner revokes a token.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def revoke_all(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def usable(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(revoked_at__isnull=True, expires_at__gt=now)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).select_related("spoc")


def authenticate(key: str) -> tuple[User, ApiToken]:
    """The user a presented key acts for, or TokenRefused with one message for every failure
    (an unknown key and a revoked one answer alike)."""
    now = timezone.now()
    token = ApiToken.objects.filter(usable(now), digest=digest_of(key.strip())).select_related("user").first()
    refused = TokenRefused("Invalid, expired or revoked token.")
    if token is None:
        raise refused
    user: Any = token.user
    apply_if_due(user, now)
    if not user.is_active or user.spoc_id != token.spoc_id:
        raise refused
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user, token
