"""Write a realistic synthetic catalog (one element set per object) in any element-set format.

Usage: python bench/generate_catalog.py OUT [--objects 30000] [--format omm-json] [--seed N]

Regimes follow the public catalog's broad shape: about 75% LEO (constellation shells,
sun-synchronous, ISS-like inclinations, a debris spread), GNSS and other MEO, a GEO belt,
and GTO / Molniya orbits in HEO. Formats: tle (3LE with names), omm-json, omm-xml, omm-csv,
omm-kvn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.formats.elements import FORMATS, write_elements
from catalog.services.synthetic import synthetic_catalog


def generate(out: Path, objects: int, fmt: str, seed: int) -> None:
    with out.open("w", encoding="utf-8", newline="\n") as stream:
        errors = write_elements(synthetic_catalog(objects, seed=seed), fmt, stream)
    if errors:
        raise SystemExit(f"{len(errors)} records could not be written, first: {errors[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--objects", type=int, default=30_000)
    parser.add_argument("--format", choices=FORMATS, default="omm-json")
    parser.add_argument("--seed", type=int, default=20240315)
    args = parser.parse_args()
    generate(args.out, args.objects, args.format, args.seed)
    print(f"{args.out}: {args.objects} objects, {args.format}, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
