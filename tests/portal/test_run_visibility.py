"""One object-level rule: who is US side, who is staff of which SpOC, and who may see background
runs, delivery batches, sync runs and id mappings (`portal.ownership`), used everywhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from catalog.models import SyncRun
from catalog.observations.models import IngestBatch
from portal import ownership
from portal.markings.models import marking_columns
from portal.models import SpOC, User
from portal.task_runs import finish_run, start_run, subject_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runs(coalition: dict[str, User]) -> dict[str, Any]:
    uk = SpOC.objects.get(code="uk-spoc")
    batch = IngestBatch.objects.create(
        delivered_by_name="uk_staff",
        spoc=uk,
        channel="api",
        data_format="udl-json",
        payload="observations/planted.json",
        payload_sha256="0" * 64,
        payload_bytes=987_654,
        **marking_columns("SECRET//REL TO USA, GBR"),
    )
    delivery = start_run("catalog.observations.associate", f"planted:{batch.pk}", subject=subject_of(batch))
    finish_run(delivery, {"associated": 424_242})
    periodic = start_run("tasking.settle_fulfilment", "planted:periodic")
    finish_run(periodic, {"settled": 313_131})
    return {"batch": batch, "delivery": delivery, "periodic": periodic}


def shown(client: Client, user: User) -> dict[str, str]:
    client.force_login(user)
    return {
        "page": client.get("/task-runs/").content.decode(),
        "api": client.get("/api/task-runs/").content.decode(),
        "home": client.get("/").content.decode(),
    }


def test_the_unclassified_visitor_sees_no_other_spocs_classified_delivery(
    runs: dict[str, Any], coalition: dict[str, User], client: Client
) -> None:
    for where, text in shown(client, coalition["visitor"]).items():
        assert str(runs["delivery"].run_id) not in text, where
        assert "424242" not in text and "424,242" not in text, where
        assert str(runs["periodic"].run_id) not in text, where
    assert client.get(f"/api/task-runs/{runs['delivery'].run_id}/").status_code == 404


def test_a_run_is_seen_by_who_may_read_what_it_is_about(
    runs: dict[str, Any], coalition: dict[str, User], client: Client
) -> None:
    delivery, periodic = str(runs["delivery"].run_id), str(runs["periodic"].run_id)
    # The SpOC's own staff and the US side cleared for the batch see the delivery's run;
    # another SpOC's staff do not.
    for name, sees in (("uk_staff", True), ("us_operator", True), ("au_staff", False), ("fr_staff", False)):
        api = shown(client, coalition[name])["api"]
        assert (delivery in api) is sees, name
        # Periodic work counts over every record: only who reads everything sees it.
        assert periodic not in api, name
    everything = shown(client, coalition["security_officer"])
    assert delivery in everything["api"] and periodic in everything["api"]
    assert "313131" in everything["page"] and "313131" not in shown(client, coalition["us_operator"])["page"]


def test_one_rule_decides_spoc_records(runs: dict[str, Any], coalition: dict[str, User]) -> None:
    visitor, uk, us, au = (coalition[n] for n in ("visitor", "uk_staff", "us_operator", "au_staff"))
    assert not ownership.is_us_side(visitor) and ownership.is_us_side(us)
    assert ownership.staff_spoc_id(uk) == uk.spoc_id and ownership.staff_spoc_id(visitor) is None
    batch = runs["batch"]
    # Pages, API and references all go through the model's `accessible_to`.
    from portal.references import readable

    assert list(readable(IngestBatch, uk)) == [batch]
    assert list(readable(IngestBatch, us)) == [batch]
    assert list(readable(IngestBatch, au)) == []
    assert list(readable(IngestBatch, visitor)) == []
    SyncRun.objects.create(label="uk upload", spoc=batch.spoc, **marking_columns("UNCLASSIFIED"))
    assert readable(SyncRun, visitor).count() == 0  # a US person without a US role is not US side
    assert readable(SyncRun, uk).count() == 1


# Ways the rule used to be written outside portal/ownership.py and the User model.
OTHER_DEFINITIONS = [
    re.compile(r"def is_us_side\b"),
    re.compile(r"nationality\"?,? ?(None)?\)? == \"USA\""),
    re.compile(r"role != \"none\""),
    re.compile(r"def is_partner_staff\b"),
    re.compile(r"US_SIDE_ROLES = "),
    re.compile(r"role == Role\.PARTNER_STAFF"),
]


def test_the_rule_is_written_once() -> None:
    offenders = []
    for app in ("portal", "agreements", "catalog", "tasking"):
        for path in (ROOT / app).rglob("*.py"):
            if path.name in {"ownership.py", "accounts.py"} or "migrations" in path.parts:
                continue
            text = path.read_text()
            offenders += [
                f"{path.relative_to(ROOT)}: {p.pattern}" for p in OTHER_DEFINITIONS if p.search(text)
            ]
    assert offenders == []
