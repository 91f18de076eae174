"""One-time passwords (TOTP) as the second factor: enrolment, verification, demo devices."""

from __future__ import annotations

import hashlib
from base64 import b32encode
from binascii import unhexlify
from typing import Any

from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import User

DEVICE_NAME = "authenticator"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device a user is setting up (made on first sign-in)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def base32_key(device: TOTPDevice) -> str:
    return b32encode(unhexlify(device.key.encode())).decode()


def verify(request: HttpRequest, user: User, token: str) -> bool:
    """Checks `token` against the user's device (or confirms the one being enrolled) and marks
    the session verified. A token is used at most once (the device keeps the last time step)."""
    device = confirmed_device(user) or enrolment_device(user)
    if not device.verify_token(token.strip()):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


def demo_key(username: str) -> str:
    """A fixed key per demo user, so that the demo's codes are reproducible (hex, 20 bytes)."""
    return hashlib.sha256(f"coalition-sda-portal demo second factor {username}".encode()).hexdigest()[:40]


def ensure_demo_device(user: User) -> TOTPDevice:
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name=DEVICE_NAME, defaults={"key": demo_key(user.username), "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    totp: Any = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"
