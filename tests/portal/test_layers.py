"""The layers the import contract cannot see: a model looked up by name crosses a layer without
an import. Lower apps reach a higher app's records only through the hooks it registers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from catalog.observations.services import answers

ROOT = Path(__file__).resolve().parents[2]
# app -> the apps above it, whose models it may not look up by name
ABOVE = {
    "portal": ["agreements", "catalog", "observations", "tasking"],
    "agreements": ["catalog", "observations", "tasking"],
    "catalog": ["tasking"],
}


def _lookup_pattern(names: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(names)
    return re.compile(r"""get_model\(\s*["'](""" + alternatives + r""")[."']""")


def _lookups_of(app: str, names: list[str]) -> list[str]:
    pattern = _lookup_pattern(names)
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_no_app_looks_up_the_models_of_an_app_above_it(app: str) -> None:
    assert _lookups_of(app, ABOVE[app]) == []


def test_the_scan_recognises_both_spellings_of_a_lookup() -> None:
    pattern = _lookup_pattern(["tasking"])
    assert pattern.search('requests = apps.get_model("tasking", "TaskingRequest").objects')
    assert pattern.search("apps.get_model('tasking.TaskingRequest')")
    assert not pattern.search('apps.get_model("catalog", "Observation")')


def test_tasking_answers_the_catalog_questions_about_requests() -> None:
    from tasking.services.answers import TaskingAnsweredRequests

    assert isinstance(answers.answered_requests(), TaskingAnsweredRequests)


def test_without_an_answer_registered_a_delivery_check_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "_registered", None)
    with pytest.raises(ImproperlyConfigured):
        answers.answered_requests()
