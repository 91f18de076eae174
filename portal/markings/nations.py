"""The nations a marking can name, each owning one bit of the releasability mask.

The bit of a nation is its position in NATIONS. Stored masks depend on it, so entries are only
ever appended, never reordered or removed. 62 entries at most keep the mask inside a signed
64-bit column.
"""

from __future__ import annotations

NATIONS: tuple[tuple[str, str], ...] = (
    ("USA", "United States"),
    ("GBR", "United Kingdom"),
    ("AUS", "Australia"),
    ("CAN", "Canada"),
    ("NZL", "New Zealand"),
    ("FRA", "France"),
    ("DEU", "Germany"),
    ("JPN", "Japan"),
    ("ITA", "Italy"),
    ("NOR", "Norway"),
    ("NLD", "Netherlands"),
    ("DNK", "Denmark"),
    ("ESP", "Spain"),
    ("KOR", "Republic of Korea"),
    ("BEL", "Belgium"),
    ("POL", "Poland"),
    ("SWE", "Sweden"),
    ("FIN", "Finland"),
    ("PRT", "Portugal"),
    ("ISR", "Israel"),
    ("BRA", "Brazil"),
    ("IND", "India"),
    ("CZE", "Czechia"),
    ("ROU", "Romania"),
    ("LUX", "Luxembourg"),
    ("AUT", "Austria"),
    ("CHE", "Switzerland"),
    ("GRC", "Greece"),
    ("TUR", "Turkey"),
    ("SGP", "Singapore"),
    ("ARE", "United Arab Emirates"),
    ("CHL", "Chile"),
)
assert len(NATIONS) <= 62

NATION_NAMES: dict[str, str] = dict(NATIONS)
NATION_BITS: dict[str, int] = {code: 1 << index for index, (code, _) in enumerate(NATIONS)}
ALL_NATIONS: frozenset[str] = frozenset(NATION_NAMES)
ALL_NATIONS_MASK: int = sum(NATION_BITS.values())

US = "USA"
FVEY: frozenset[str] = frozenset({"USA", "AUS", "CAN", "GBR", "NZL"})


def mask_of(codes: frozenset[str]) -> int:
    return sum(NATION_BITS[code] for code in codes)


def codes_of(mask: int) -> frozenset[str]:
    return frozenset(code for code, bit in NATION_BITS.items() if mask & bit)
