"""How old an element set may be before predictions from it mislead, by orbit regime.

SGP4 predictions from a general-perturbations set drift by roughly a kilometre or more per day
in LEO (drag), less higher up; past these ages a predicted pass time or pointing is no longer
worth showing without a warning. The limits are the portal's rule, chosen so that the along-track
error stays within a sensor's usual acquisition window."""

from __future__ import annotations

import datetime as dt

from catalog.astro.elements import classify_regime

MAX_AGE: dict[str, dt.timedelta] = {
    "LEO": dt.timedelta(days=3),
    "MEO": dt.timedelta(days=7),
    "HEO": dt.timedelta(days=7),
    "GEO": dt.timedelta(days=14),
}


def staleness(
    epoch: dt.datetime | None, mean_motion: float | None, eccentricity: float | None, at: dt.datetime
) -> str | None:
    """A warning when a set of this epoch and orbit is too old to predict from at `at`, else None."""
    if epoch is None or mean_motion is None or eccentricity is None:
        return None
    regime = str(classify_regime(mean_motion, eccentricity))
    limit = MAX_AGE.get(regime)
    age = abs(at - epoch)
    if limit is None or age <= limit:
        return None
    days = age.total_seconds() / 86400
    return (
        f"Predicted from an element set {days:.1f} days from its epoch ({epoch:%Y-%m-%d %H:%M} UTC); "
        f"{regime} sets are good for {limit.days} days: positions and pass times may be well off."
    )
