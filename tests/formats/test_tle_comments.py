"""TLE files as found in the wild: '#' comment lines and prose before the first element set."""

from __future__ import annotations

import io
from pathlib import Path

from catalog.formats.elements import detect_format, read_elements
from catalog.formats.records import ElementSetRecord

SAMPLES = Path(__file__).parent / "samples"
ISS = (SAMPLES / "elements_3le.tle").read_text().splitlines()[:3]
PLAIN = (SAMPLES / "elements_plain.tle").read_text().splitlines()[:2]


def read(text: str, fmt: str | None = "tle") -> list[object]:
    return list(read_elements(io.StringIO(text), fmt))


def names(results: list[object]) -> list[str | None]:
    assert all(isinstance(r, ElementSetRecord) for r in results), results
    return [r.object_name for r in results if isinstance(r, ElementSetRecord)]


def test_comment_lines_are_skipped_and_never_become_a_name() -> None:
    text = "# Space-Track 3LE extract\n# generated 2024-03-15\n" + "\n".join(PLAIN) + "\n"
    assert names(read(text)) == [None]


def test_a_comment_between_the_name_and_line_1_keeps_the_name() -> None:
    text = "\n".join([ISS[0], "# next set", ISS[1], ISS[2]]) + "\n"
    assert names(read(text)) == ["ISS (ZARYA)"]


def test_comments_between_sets_are_skipped() -> None:
    text = "\n".join([*ISS, "#", "# -- debris --", *PLAIN]) + "\n"
    assert names(read(text)) == ["ISS (ZARYA)", None]


def test_detection_looks_past_comment_lines() -> None:
    text = "".join(f"# comment line {i}\n" for i in range(6)) + "\n".join(ISS) + "\n"
    assert detect_format(text) == "tle"
    assert names(read(text, None)) == ["ISS (ZARYA)"]


def test_detection_and_reading_look_past_leading_prose() -> None:
    prose = (
        "Two-line element sets of the stations group, as distributed on 2024-03-15.\n"
        "Each set is preceded by the object's name.\n\n"
    )
    text = prose + "\n".join(ISS) + "\n"
    assert detect_format(text) == "tle"
    assert names(read(text, None)) == ["ISS (ZARYA)"]
