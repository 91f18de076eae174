"""Test support: sign a persona in, second factor included, without typing a code."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from portal.models import User
from portal.second_factor import confirmed_device, ensure_demo_device


def sign_in(client: Client, user: User, *, second_factor: bool = True) -> Client:
    """`force_login`, and for users who need one, a session verified by their TOTP device (the
    demo device is made if they have none). `second_factor=False` leaves the session
    unverified, as after the password step alone."""
    Client.force_login(client, user)
    if second_factor and user.needs_second_factor:
        device = confirmed_device(user) or ensure_demo_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class SignedInClient(Client):
    """A test client whose `force_login` signs in as `sign_in` does."""

    def force_login(self, user: Any, backend: str | None = None) -> None:
        sign_in(self, user)


def json_leaves(node: Any) -> list[Any]:
    """Every scalar in a decoded JSON body, at any depth. Tests compare values with these rather
    than searching the text for digits, which a timestamp's microseconds may hold by chance."""
    if isinstance(node, dict):
        return [leaf for child in node.values() for leaf in json_leaves(child)]
    if isinstance(node, list):
        return [leaf for child in node for leaf in json_leaves(child)]
    return [node]
