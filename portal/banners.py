"""Classification banners: the page's marking is the combination of everything it displayed."""

from __future__ import annotations

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


def render_banner(marking: Marking) -> str:
    return format_html(
        '<div class="classification-banner {}" role="note" aria-label="Page classification">{}</div>',
        BANNER_CLASSES[marking.level],
        marking.banner,
    )
