"""Residual frame error of the calibration-grade chain against skyfield, for a LEO pass.

Usage:
    python bench/frame_error.py

A 75-degree pass of a LEO (SGP4) over Fylingdales on 2015-03-02, every 10 s; skyfield (IERS
UT1 and polar motion from the same finals file, DE430 excerpt for the Earth's motion) is the
reference. Prints the largest error per observable with and without Earth orientation, against
the Level-1 limits (range 30 m, az/el 18", RA/Dec 1.8", range rate 0.5 m/s).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.astro import predict
from catalog.astro.frames import look_angles
from catalog.astro.orientation import earth_orientation, look_angles_eop
from catalog.astro.propagation import propagate, satrec_array, satrec_from_elements, utc_to_jd_fr
from catalog.astro.residuals import angle_residual_deg, angular_separation_deg
from tests.astro.skyfield_reference import (
    FYLINGDALES,
    LEO_2015,
    de430_excerpt,
    radar_round_trip_km,
    shifted,
    skyfield_satellite,
    skyfield_site,
    skyfield_times,
)


def main() -> None:
    utc = np.datetime64("2015-03-02T15:33:40", "us") + (np.arange(0, 690, 10) * 1e6).astype("timedelta64[us]")
    r, v, _ = propagate(satrec_array([satrec_from_elements(LEO_2015)]), utc)
    r, v = r[0], v[0]
    eo = earth_orientation(utc)
    t = skyfield_times(utc)
    sat = skyfield_satellite(LEO_2015)
    topo = skyfield_site(FYLINGDALES)
    diff = (sat - topo).at(t)
    alt, az, dist = diff.altaz()
    *_, rate = diff.frame_latlon_and_rates(topo)
    cos_el = np.cos(np.radians(alt.degrees))

    def geometric(look):
        return (
            np.abs(look.range_km - dist.km).max() * 1000,
            np.abs(angle_residual_deg(look.azimuth_deg, az.degrees) * cos_el).max() * 3600,
            np.abs(look.elevation_deg - alt.degrees).max() * 3600,
            np.abs(look.range_rate_km_s - rate.km_per_s).max() * 1000,
        )

    jd, fr = utc_to_jd_fr(utc)
    print('limits (Level 1): range 30 m, az*cos(el) and el 18", RA/Dec 1.8", range rate 0.5 m/s')
    for label, look in (
        ("geometric, UT1 and polar motion", look_angles_eop(r, v, FYLINGDALES, eo)),
        ("geometric, UT1-UTC = 0, no polar motion", look_angles(r, v, jd, fr, FYLINGDALES)),
    ):
        rng, a, e, rr = geometric(look)
        print(f'{label:44s} range {rng:9.4f} m  az {a:9.5f}"  el {e:9.5f}"  rate {rr:8.4f} m/s')
    radar = predict.radar(r, v, FYLINGDALES, eo)
    ref_range = radar_round_trip_km(sat, FYLINGDALES, t)
    h = 0.005
    ref_rate = (
        radar_round_trip_km(sat, FYLINGDALES, shifted(t, h))
        - radar_round_trip_km(sat, FYLINGDALES, shifted(t, -h))
    ) / (2 * h)
    print(
        f"{'radar round trip with light time':44s} range {np.abs(radar.range_km - ref_range).max() * 1000:9.4f} m"
        f"  rate {np.abs(radar.range_rate_km_s - ref_rate).max() * 1000:8.4f} m/s"
        f"  (geometric instead: {np.abs(dist.km - ref_range).max() * 1000:.1f} m,"
        f" {np.abs(rate.km_per_s - ref_rate).max() * 1000:.3f} m/s)"
    )
    earth = de430_excerpt()["earth"]
    seen = (earth + topo).at(t).observe(earth + sat)
    ra_s, dec_s, _ = seen.radec()
    ra_a, dec_a, _ = seen.apparent().radec()
    apparent = predict.optical(r, v, FYLINGDALES, eo)
    star = predict.optical(r, v, FYLINGDALES, eo, predict.Statement(star_referenced=True))
    sep_app = (
        angular_separation_deg(apparent.ra_deg, apparent.dec_deg, ra_a._degrees, dec_a.degrees).max() * 3600
    )
    sep_star = angular_separation_deg(star.ra_deg, star.dec_deg, ra_s._degrees, dec_s.degrees).max() * 3600
    print(f'{"optical RA/Dec, apparent (diurnal aberration)":44s} {sep_app:.4f}"')
    print(f'{"optical RA/Dec, star-referenced":44s} {sep_star:.4f}"')


if __name__ == "__main__":
    main()
