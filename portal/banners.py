"""Classification banners: the page's marking is the combination of everything it displayed.

While a response is made (`collecting`, opened by the banner middleware), whatever shows a
marked record notes its marking (`note_on_page`); outside a response noting does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils.html import format_html

from portal.markings.marking import Level, Marking

BANNER_PLACEHOLDER = "<!--classification-banner-->"

BANNER_CLASSES = {
    Level.UNCLASSIFIED: "banner-u",
    Level.CUI: "banner-cui",
    Level.CONFIDENTIAL: "banner-c",
    Level.SECRET: "banner-s",
    Level.TOP_SECRET: "banner-ts",
}


class PageMarkings:
    def __init__(self) -> None:
        self.markings: list[Marking] = []

    def add(self, marking: Marking) -> None:
        self.markings.append(marking)

    def combined(self) -> Marking:
        if not self.markings:
            return Marking.unclassified()
        return Marking.combine(*self.markings)


_page: ContextVar[PageMarkings | None] = ContextVar("page_markings", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[PageMarkings]:
    """Gather the markings of everything one response displays."""
    page = PageMarkings()
    token = _page.set(page)
    try:
        yield page
    finally:
        _page.reset(token)


def note_on_page(marking: Marking) -> None:
    """Add `marking` to the banner of the response being made, if any."""
    page = _page.get()
    if page is not None:
        page.add(marking)


def render_banner(marking: Marking) -> str:
    return format_html(
        '<div class="classification-banner {}" role="note" aria-label="Page classification">{}</div>',
        BANNER_CLASSES[marking.level],
        marking.banner,
    )
