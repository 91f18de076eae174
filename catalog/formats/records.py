"""Parsed records shared by the element-set formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["ElementSetRecord"]


@dataclass(frozen=True)
class ElementSetRecord:
    """One SGP4 mean element set (CCSDS OMM / GP field names, TLE units).

    Angles are in degrees, ``mean_motion`` in rev/day, ``mean_motion_dot`` in
    rev/day**2 and ``mean_motion_ddot`` in rev/day**3 exactly as printed in a
    TLE or a GP record (that is, the first derivative already halved and the
    second divided by six), ``bstar`` in 1/earth radii.  ``epoch`` is an
    aware UTC datetime.  ``record`` is the 1-based number of the record in the
    file it was read from (0 when it was not read from a file).
    """

    norad_cat_id: int
    object_name: str | None
    object_id: str | None
    epoch: datetime
    mean_motion: float
    eccentricity: float
    inclination: float
    ra_of_asc_node: float
    arg_of_pericenter: float
    mean_anomaly: float
    bstar: float
    mean_motion_dot: float
    mean_motion_ddot: float
    element_set_no: int
    rev_at_epoch: int
    ephemeris_type: int
    classification_type: str
    object_type: str | None = None
    country_code: str | None = None
    launch_date: date | None = None
    site: str | None = None
    decay_date: date | None = None
    rcs_size: str | None = None
    record: int = 0
