"""Demo data for the core: nations, SpOCs, users of every persona, a few notices."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models

from portal import audit
from portal.markings.marking import Level
from portal.markings.models import marking_columns
from portal.markings.nations import NATION_NAMES
from portal.models import AuditAction, Nation, Notice, Role, SpOC, User
from portal.second_factor import ensure_demo_device

M = TypeVar("M", bound=models.Model)

DEMO_PASSWORD = "coalition-demo"

SPOCS: list[dict[str, Any]] = [
    dict(
        code="us-spoc",
        name="US Space Operations Center",
        nation="USA",
        staffed_24x7=True,
        time_zone="America/Los_Angeles",
        languages="en",
        contact_email="ops@us-spoc.example",
    ),
    dict(
        code="uk-spoc",
        name="UK Space Operations Centre",
        nation="GBR",
        staffed_24x7=True,
        time_zone="Europe/London",
        languages="en",
        contact_email="watch@uk-spoc.example",
    ),
    dict(
        code="au-spoc",
        name="Australian Space Operations Centre",
        nation="AUS",
        staffed_from=dt.time(7),
        staffed_until=dt.time(19),
        time_zone="Australia/Canberra",
        languages="en",
        contact_email="ops@au-spoc.example",
    ),
    dict(
        code="ca-spoc",
        name="Canadian Space Operations Centre",
        nation="CAN",
        staffed_from=dt.time(6),
        staffed_until=dt.time(22),
        time_zone="America/Toronto",
        languages="en,fr",
        contact_email="ops@ca-spoc.example",
    ),
    dict(
        code="fr-spoc",
        name="French Space Command Operations Centre",
        nation="FRA",
        staffed_from=dt.time(8),
        staffed_until=dt.time(18),
        time_zone="Europe/Paris",
        languages="fr,en",
        preferred_communication="voice",
        contact_email="cos@fr-spoc.example",
    ),
    dict(
        code="de-spoc",
        name="German Space Situational Awareness Centre",
        nation="DEU",
        staffed_from=dt.time(7),
        staffed_until=dt.time(17),
        time_zone="Europe/Berlin",
        languages="de,en",
        contact_email="lage@de-spoc.example",
    ),
    dict(
        code="jp-spoc",
        name="Japan Space Operations Group",
        nation="JPN",
        staffed_from=dt.time(8),
        staffed_until=dt.time(20),
        time_zone="Asia/Tokyo",
        languages="ja,en",
        contact_email="ops@jp-spoc.example",
    ),
]

USERS: list[dict[str, Any]] = [
    dict(
        username="us_operator",
        nationality="USA",
        clearance=Level.SECRET,
        spoc="us-spoc",
        role=Role.US_OPERATOR,
    ),
    dict(
        username="uk_staff",
        nationality="GBR",
        clearance=Level.SECRET,
        spoc="uk-spoc",
        role=Role.PARTNER_STAFF,
    ),
    dict(
        username="au_staff",
        nationality="AUS",
        clearance=Level.SECRET,
        spoc="au-spoc",
        role=Role.PARTNER_STAFF,
    ),
    dict(
        username="fr_staff",
        nationality="FRA",
        clearance=Level.CONFIDENTIAL,
        spoc="fr-spoc",
        role=Role.PARTNER_STAFF,
    ),
    dict(
        username="agreement_admin",
        nationality="USA",
        clearance=Level.TOP_SECRET,
        spoc=None,
        role=Role.AGREEMENT_ADMIN,
    ),
    dict(
        username="security_officer",
        nationality="USA",
        clearance=Level.TOP_SECRET,
        spoc=None,
        role=Role.SECURITY_OFFICER,
    ),
    dict(
        username="security_officer2",
        nationality="USA",
        clearance=Level.TOP_SECRET,
        spoc=None,
        role=Role.SECURITY_OFFICER,
    ),
    dict(username="visitor", nationality="USA", clearance=Level.UNCLASSIFIED, spoc=None, role=Role.NONE),
]

NOTICES = [
    (
        "us-spoc",
        "UNCLASSIFIED",
        "Coalition portal open for the winter exercise",
        "Partner SpOCs may deliver EXERCISE observations from 1 December.",
    ),
    (
        "uk-spoc",
        "CUI//REL TO USA, GBR",
        "Starbrook-like telescope maintenance",
        "Optical sensor unavailable 03-05 December for mirror recoating.",
    ),
    (
        "us-spoc",
        "SECRET//REL TO USA, FVEY",
        "Heightened RPO activity in GEO belt",
        "Expect additional quick-turn requests for GEO objects near 75E.",
    ),
    (
        "us-spoc",
        "SECRET//NOFORN",
        "SSN radar retasking plan",
        "Eglin and Cavalier carry additional LEO load while Clear is in maintenance.",
    ),
    (
        "fr-spoc",
        "CONFIDENTIAL//REL TO USA, FRA",
        "GRAVES-like radar coverage change",
        "Coverage reduced to southern sector until further notice.",
    ),
    (
        "us-spoc",
        "TOP SECRET//NOFORN",
        "Special handling: restricted object list",
        "Restricted objects are handled outside the coalition catalog.",
    ),
]


def _ensure(model: type[M], key: str, specs: list[dict[str, Any]]) -> dict[Any, M]:
    """Rows of `model` as `specs` give them, by `key`: missing ones created in one insert (and
    audited in one), existing ones saved only where a value differs. Run again, it changes
    nothing; the per-row `update_or_create` it replaces cost five queries a row on every run."""
    keys = [spec[key] for spec in specs]
    rows = {getattr(row, key): row for row in model._default_manager.filter(**{f"{key}__in": keys})}
    new = [model(**spec) for spec in specs if spec[key] not in rows]
    model._default_manager.bulk_create(new)
    audit.record_many(AuditAction.CREATE, new)
    for spec in specs:
        row = rows.get(spec[key])
        if row is None:
            continue
        changed = [field for field, value in spec.items() if getattr(row, field) != value]
        if changed:
            for field in changed:
                setattr(row, field, spec[field])
            row.save(update_fields=changed)
    rows.update({getattr(row, key): row for row in new})
    return {spec[key]: rows[spec[key]] for spec in specs}


def seed_core() -> dict[str, int]:
    _ensure(Nation, "code", [{"code": code, "name": name} for code, name in NATION_NAMES.items()])
    spocs = _ensure(
        SpOC,
        "code",
        [
            {**{key: value for key, value in spec.items() if key != "nation"}, "nation_id": spec["nation"]}
            for spec in SPOCS
        ],
    )
    # Every demo user has the same published password: one hash (a deliberately slow PBKDF2,
    # 0.4 s) serves them all instead of one per user.
    password: str | None = None
    for spec in USERS:
        user, created = User.objects.update_or_create(
            username=spec["username"],
            defaults={
                "nationality": spec["nationality"],
                "clearance": spec["clearance"],
                "spoc": spocs.get(spec["spoc"]) if spec["spoc"] else None,
                "role": spec["role"],
                "email": f"{spec['username']}@portal.example",
                # Their work is on the portal's own pages; the Django admin is for superusers.
                "is_staff": False,
            },
        )
        if created:
            password = password or make_password(DEMO_PASSWORD)
            user.password = password
            user.save(update_fields=["password"])
        if user.needs_second_factor:
            ensure_demo_device(user)
    _ensure(
        Notice,
        "title",
        [
            {"title": title, "body": body, "spoc_id": spocs[spoc_code].pk, **marking_columns(marking)}
            for spoc_code, marking, title, body in NOTICES
        ],
    )
    return {
        "nations": Nation.objects.count(),
        "spocs": SpOC.objects.count(),
        "users": User.objects.count(),
        "notices": Notice.objects.count(),
    }
