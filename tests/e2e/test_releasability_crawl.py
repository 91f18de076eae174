"""fr_staff (CONFIDENTIAL, FRA) follows every link the portal offers from the home page and never
sees a SECRET marking, nor a record not releasable to France."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

from portal.markings.marking import Marking
from portal.models import Notice
from tasking.services import transitions
from tests.tasking.conftest import World, world  # noqa: F401  (the tasking fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

MOST_PAGES = 150
MOST_VARIANTS_OF_A_PATH = 3  # sort orders and filters of one list
# Leaving, destroying or fetching what is not a page.
NOT_FOLLOWED = re.compile(r"^/(logout|login|static|media)/|/(download|export)/|\.(csv|json|kvn|xml|png|svg)$")
READABLE_LEVELS = {"UNCLASSIFIED", "CUI", "CONFIDENTIAL", "U", "C"}


def faults_of_marking(text: str) -> list[str]:
    """Why a French CONFIDENTIAL reader may not see something marked `text` (a banner like
    "CUI//REL TO USA, FRA", or an untitled portion like "(C//REL)"), read from the words alone."""
    parts = text.strip().strip("()").split("//")
    faults = []
    if parts[0] not in READABLE_LEVELS:
        faults.append(f"{text}: above CONFIDENTIAL")
    for control in parts[1:]:
        if control in ("NOFORN", "NF"):
            faults.append(f"{text}: not releasable to foreign nationals")
        elif control.startswith("REL TO ") and "FRA" not in control.removeprefix("REL TO ").split(", "):
            faults.append(f"{text}: not releasable to FRA")
    return faults


def same_site_links(page: Any, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url, _fragment = urldefrag(urljoin(page.url, href))
        if url.startswith(origin) and not NOT_FOLLOWED.search(urlparse(url).path):
            found.append(url)
    return found


def test_fr_staff_click_through_every_link_and_never_see_a_secret_or_unreleasable_record(
    world: World,  # noqa: F811
    login: Any,
    live_server: Any,
) -> None:
    fr = Marking.parse("CUI//REL TO USA, FRA")
    theirs = world.file(
        title="Track ISS from Solenzara", spoc=None, sensor=world.sensors["fr_radar"], marking=fr
    )
    transitions.apply(theirs, "accept", by=world.users["fr_staff"])
    hidden = {
        world.file(title="UK-only catalog maintenance").title,
        world.file(
            title="Secret tasking of the French radar",
            spoc=None,
            sensor=world.sensors["fr_radar"],
            marking=Marking.parse("SECRET//REL TO USA, FRA"),
        ).title,
        world.sensors["au_radar"].name,
        *(n.title for n in Notice.objects.all() if faults_of_marking(n.marking.banner)),
    }
    assert len(hidden) > 4  # the seeded notices include some above CONFIDENTIAL or not for FRA

    page = login("fr_staff")
    origin = live_server.url
    queue = deque([f"{origin}/"])
    seen = {f"{origin}/"}
    variants: dict[str, int] = {}
    visited: list[str] = []
    faults: list[str] = []
    while queue and len(visited) < MOST_PAGES:
        url = queue.popleft()
        try:
            answer = page.goto(url)
        except PlaywrightError as exc:  # a file download rather than a page
            assert "Download is starting" in str(exc), f"{url}: {exc}"
            continue
        if answer is None or "text/html" not in answer.headers.get("content-type", ""):
            continue
        visited.append(url)
        content = page.content()
        faults += [f"{url}: shows {name!r}" for name in hidden if name in content]
        for banner in page.locator(".classification-banner").all_inner_texts():
            faults += [f"{url}: banner {fault}" for fault in faults_of_marking(banner)]
        for portion in page.locator(".portion").all():
            marked = portion.get_attribute("title") or portion.inner_text()
            faults += [f"{url}: portion {fault}" for fault in faults_of_marking(marked)]
        for link in same_site_links(page, origin):
            path = urlparse(link).path
            if link in seen or variants.get(path, 0) >= MOST_VARIANTS_OF_A_PATH:
                continue
            seen.add(link)
            variants[path] = variants.get(path, 0) + 1
            queue.append(link)

    assert faults == []
    paths = {urlparse(url).path for url in visited}
    # The crawl reached the partner's own work, so it would have seen a leak there.
    assert {"/", "/tasking/inbox/", f"/tasking/requests/{theirs.pk}/", "/notices/"} <= paths
    assert len(paths) > 15
    page.goto(f"{origin}/")
    screenshot(page, "home-fr-staff")


def test_the_marking_check_finds_what_a_french_confidential_reader_may_not_see() -> None:
    assert faults_of_marking("CUI//REL TO USA, FRA") == []
    assert faults_of_marking("(C//REL)") == []
    assert faults_of_marking("UNCLASSIFIED") == []
    assert faults_of_marking("SECRET//REL TO USA, FRA") == ["SECRET//REL TO USA, FRA: above CONFIDENTIAL"]
    assert faults_of_marking("(TS//NF)") == [
        "(TS//NF): above CONFIDENTIAL",
        "(TS//NF): not releasable to foreign nationals",
    ]
    assert faults_of_marking("CUI//REL TO USA, GBR") == ["CUI//REL TO USA, GBR: not releasable to FRA"]
    assert faults_of_marking("CUI//NOFORN") == ["CUI//NOFORN: not releasable to foreign nationals"]
