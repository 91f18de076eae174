"""Write generated observations: tracks from well-known sensor sites on a generated catalog.

Usage: python bench/generate_observations.py OUT [--count 1000000] [--objects 30000]
       [--format udl-json|csv|tdm-kvn|tdm-xml] [--named]

The catalog is `catalog.services.synthetic.synthetic_catalog(objects)` (deterministic), so the
benchmark can load the same one; 5 % of tracks are on objects outside it (true UCTs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.formats.observations import write_observations
from catalog.formats.observations_common import ObservationRecord
from catalog.observations.services.synthetic import _with, catalog_satrecs, generate_tracks
from catalog.services.synthetic import REFERENCE_EPOCH, synthetic_catalog

CATALOG_SEED = 20240315
START = REFERENCE_EPOCH + dt.timedelta(hours=1)


def records(
    count: int, objects: int, named: bool, chunk: int = 50_000
) -> Iterator[tuple[ObservationRecord, int | None]]:
    elements = list(synthetic_catalog(objects + objects // 20, seed=CATALOG_SEED))
    satrecs, numbers = catalog_satrecs(elements)
    catalog, hidden = satrecs[:objects], satrecs[objects:]
    made = 0
    part = 0
    while made < count:
        size = min(chunk, count - made)
        # Each chunk covers its own six hours, so time buckets stay realistically dense.
        gen = generate_tracks(
            catalog,
            numbers[:objects],
            size,
            start=START + dt.timedelta(hours=6 * part),
            duration_s=6 * 3600.0,
            hidden=hidden,
            seed=100 + part,
            name_objects=named,
        )
        for record, truth in zip(gen.records, gen.truth, strict=True):
            made += 1
            yield _with(record, index=made, client_id=f"gen-{made}"), truth
        part += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--objects", type=int, default=30_000)
    parser.add_argument("--format", default="udl-json")
    parser.add_argument("--named", action="store_true", help="records name their catalog number")
    args = parser.parse_args()
    started = time.perf_counter()
    truth_path = Path(args.out).with_suffix(".truth")
    with open(args.out, "w") as out, open(truth_path, "w") as truth_out:

        def stream() -> Iterator[ObservationRecord]:
            for record, truth in records(args.count, args.objects, args.named):
                truth_out.write(f"{record.client_id},{truth or ''}\n")
                yield record

        written = write_observations(stream(), args.format, out)
    print(f"{written} observations ({args.format}) in {time.perf_counter() - started:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
