"""Standard tropospheric refraction for optical and radar elevations and radar range delay.

Sizes: optical bending is 0.41 deg at 1 deg elevation, 0.16 deg at 5 deg and 58" at 45 deg
(1010 hPa, 10 C); radio bending is larger by the water-vapour term (about 20 % in humid air).
The radar range delay is 2.3 m at the zenith at sea level and about 25 m at 5 deg.

* Optical elevation: Bennett (1982) from the apparent elevation, solved by iteration for
  true -> apparent (Saemundsson's form as the first guess), scaled by pressure / 1010 hPa and
  283 K / temperature. Good to about 0.07' above 0 deg.
* Radio elevation: the optical form scaled by the ratio of radio to dry-air refractivity
  (Smith-Weintraub surface refractivity with water vapour).
* Radar range delay: Saastamoinen zenith delay (hydrostatic + wet) mapped with the Chao
  mapping function.

Refraction raises a target: apparent elevation = true elevation + bending.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from catalog.astro.frames import FloatArray

STANDARD_PRESSURE_HPA = 1010.0
STANDARD_TEMPERATURE_C = 10.0
STANDARD_HUMIDITY = 0.5


def _scale(pressure_hpa: float, temperature_c: float) -> float:
    return (pressure_hpa / 1010.0) * (283.0 / (273.0 + temperature_c))


def optical_bending_deg(
    true_elevation_deg: ArrayLike,
    pressure_hpa: float = STANDARD_PRESSURE_HPA,
    temperature_c: float = STANDARD_TEMPERATURE_C,
) -> FloatArray:
    """Optical refraction (deg) to add to a true (geometric) elevation; 0 below -1 deg."""
    h = np.asarray(true_elevation_deg, dtype=np.float64)
    hc = np.maximum(h, -1.0)
    # Saemundsson: R (arcmin) = 1.02 / tan(h + 10.3 / (h + 5.11)), true elevation in.
    r_arcmin = 1.02 / np.tan(np.radians(hc + 10.3 / (hc + 5.11)))
    scale = _scale(pressure_hpa, temperature_c)
    r = r_arcmin / 60.0 * scale
    # Refine with Bennett's apparent-elevation form: solve h_app - R(h_app) = h.
    app = hc + r
    for _ in range(3):
        app = hc + 1.0 / np.tan(np.radians(app + 7.31 / (app + 4.4))) / 60.0 * scale
    return np.where(h < -1.0, 0.0, app - hc)


def optical_apparent_to_true_deg(
    apparent_elevation_deg: ArrayLike,
    pressure_hpa: float = STANDARD_PRESSURE_HPA,
    temperature_c: float = STANDARD_TEMPERATURE_C,
) -> FloatArray:
    """Bennett's formula: the true elevation under an observed (apparent) one."""
    a = np.asarray(apparent_elevation_deg, dtype=np.float64)
    r = 1.0 / np.tan(np.radians(a + 7.31 / (a + 4.4))) / 60.0 * _scale(pressure_hpa, temperature_c)
    return a - r


def _vapour_pressure_hpa(temperature_c: float, relative_humidity: float) -> float:
    saturation = 6.1078 * np.exp(17.27 * temperature_c / (temperature_c + 237.3))
    return float(relative_humidity * saturation)


def surface_refractivity(
    pressure_hpa: float = STANDARD_PRESSURE_HPA,
    temperature_c: float = STANDARD_TEMPERATURE_C,
    relative_humidity: float = STANDARD_HUMIDITY,
) -> float:
    """Smith-Weintraub radio refractivity N = (n - 1) * 1e6 (about 313 for a standard day)."""
    t_k = 273.15 + temperature_c
    e = _vapour_pressure_hpa(temperature_c, relative_humidity)
    return float(77.6 * pressure_hpa / t_k + 3.73e5 * e / t_k**2)


def radio_bending_deg(
    true_elevation_deg: ArrayLike,
    pressure_hpa: float = STANDARD_PRESSURE_HPA,
    temperature_c: float = STANDARD_TEMPERATURE_C,
    relative_humidity: float = STANDARD_HUMIDITY,
) -> FloatArray:
    """Radar elevation refraction (deg): the optical bending scaled by radio / dry refractivity."""
    t_k = 273.15 + temperature_c
    dry = 77.6 * pressure_hpa / t_k
    ratio = surface_refractivity(pressure_hpa, temperature_c, relative_humidity) / dry
    return optical_bending_deg(true_elevation_deg, pressure_hpa, temperature_c) * ratio


def zenith_delay_m(
    pressure_hpa: float = 1013.25,
    temperature_c: float = 15.0,
    relative_humidity: float = STANDARD_HUMIDITY,
    lat_deg: float = 45.0,
    height_km: float = 0.0,
) -> float:
    """Saastamoinen zenith tropospheric delay (m): hydrostatic + wet."""
    t_k = 273.15 + temperature_c
    e = _vapour_pressure_hpa(temperature_c, relative_humidity)
    f = 1.0 - 0.00266 * np.cos(2.0 * np.radians(lat_deg)) - 0.00028 * height_km
    hydrostatic = 0.0022768 * pressure_hpa / f
    wet = 0.002277 * (1255.0 / t_k + 0.05) * e
    return float(hydrostatic + wet)


def chao_mapping(elevation_deg: ArrayLike) -> FloatArray:
    """Chao's mapping function: slant delay / zenith delay (1 at the zenith, about 10 at 5 deg)."""
    el = np.radians(np.maximum(np.asarray(elevation_deg, dtype=np.float64), 0.5))
    return 1.0 / (np.sin(el) + 0.00143 / (np.tan(el) + 0.0445))


def range_delay_km(
    elevation_deg: ArrayLike,
    pressure_hpa: float = 1013.25,
    temperature_c: float = 15.0,
    relative_humidity: float = STANDARD_HUMIDITY,
    lat_deg: float = 45.0,
    height_km: float = 0.0,
) -> FloatArray:
    """One-way tropospheric range delay (km) at an elevation; a radar range reads this much long."""
    zenith = zenith_delay_m(pressure_hpa, temperature_c, relative_humidity, lat_deg, height_km)
    return zenith * chao_mapping(elevation_deg) / 1000.0
