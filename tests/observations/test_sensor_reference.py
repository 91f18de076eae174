"""A record's sensor reference that no sensor number can be is an unknown sensor, not a crash:
the fuzzer's TDM with a 5,000-digit PARTICIPANT_1 made Python refuse the integer (a 500)."""

from __future__ import annotations

import pytest

from catalog.observations.services.ingest import _sensor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ref", ["9" * 5000, "9" * 20, str(2**31)], ids=["5000 digits", "20 digits", "2**31"])
def test_a_sensor_number_beyond_any_sensors_range_names_no_sensor(ref: str) -> None:
    assert _sensor(ref, None) is None
