"""The address a request comes from, for the audit trail and the sign-in lockout.

`X-Forwarded-For` is believed only when the connection comes from a proxy listed in the
`TRUSTED_PROXIES` setting; then the client is the right-most address in the header that is
not itself a trusted proxy. From anywhere else the header is ignored, so nobody can pose as
another address (and lock out someone else's account from there).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    parsed = _parse(address or "")
    if parsed is None:
        return False
    return any(parsed in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: Any) -> str | None:
    """The client's address: REMOTE_ADDR, or through trusted proxies the forwarded one."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR")
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(forwarded):
        if _parse(hop) is None:
            return remote  # a malformed chain: trust only what we saw
        if not is_trusted_proxy(hop):
            return str(_parse(hop))
    return remote
