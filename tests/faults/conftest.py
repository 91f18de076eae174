"""Fault tests use the observation tests' small coalition."""

from tests.observations.conftest import media, world

__all__ = ["media", "world"]
