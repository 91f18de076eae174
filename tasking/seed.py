"""Demo records of this app, added by seed_demo after the core."""

from __future__ import annotations


def seed() -> dict[str, int]:
    return {}
