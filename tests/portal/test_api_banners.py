"""The browsable API and the API reference sit inside the portal's classification banners."""

from __future__ import annotations

import re
from typing import Any

from portal.markings.models import marking_columns
from portal.models import Notice, SpOC, User

BANNER = re.compile(r'aria-label="Page classification">([^<]+)<')


def test_the_browsable_api_is_marked_as_the_highest_record_it_shows(
    coalition: dict[str, User], client: Any
) -> None:
    uk = SpOC.objects.get(code="uk-spoc")
    Notice.objects.create(
        title="Open", body="-", spoc=uk, author=coalition["uk_staff"], **marking_columns("UNCLASSIFIED")
    )
    Notice.objects.create(
        title="Held",
        body="-",
        spoc=uk,
        author=coalition["uk_staff"],
        **marking_columns("SECRET//REL TO USA, GBR"),
    )
    client.force_login(coalition["uk_staff"])
    page = client.get("/api/notices/", HTTP_ACCEPT="text/html").content.decode()
    assert BANNER.findall(page) == ["SECRET//REL TO USA, GBR"] * 2
    client.force_login(coalition["fr_staff"])
    page = client.get("/api/notices/", HTTP_ACCEPT="text/html").content.decode()
    # The seeded French notice, not the SECRET one France may not read.
    assert BANNER.findall(page) == ["CONFIDENTIAL//REL TO USA, FRA"] * 2


def test_the_api_reference_carries_the_banners(coalition: dict[str, User], client: Any) -> None:
    client.force_login(coalition["us_operator"])
    page = client.get("/api/docs/").content.decode()
    assert BANNER.findall(page) == ["UNCLASSIFIED"] * 2
