"""Small server-rendered SVG charts (no JavaScript, no library): bars and a histogram."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 560
BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 150
VALUE_WIDTH = 70
COLOURS = ("#1f5fa8", "#2e8b57", "#c0392b", "#8e6c00", "#6a3d9a", "#117a8b", "#b35c00")


def bar_chart(
    rows: Sequence[tuple[str, float | None]], *, maximum: float | None = None, unit: str = "", title: str = ""
) -> SafeString:
    """Horizontal bars, one per (label, value); a missing value is drawn as “—”."""
    values = [v for _, v in rows if v is not None]
    top = maximum if maximum is not None else (max(values) if values else 1.0) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = []
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = 0.0 if value is None else max(1.0, span * min(value, top) / top)
        shown = (
            "—" if value is None else f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value}{unit}"
        )
        parts.append(
            (
                y + BAR_HEIGHT - 5,
                label,
                LABEL_WIDTH,
                y,
                f"{width:.1f}",
                BAR_HEIGHT,
                COLOURS[index % len(COLOURS)],
                LABEL_WIDTH + width + 4,
                y + BAR_HEIGHT - 5,
                shown,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="12">{}</text>',
        parts,
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        title,
        WIDTH,
        height,
        WIDTH,
        height,
        title,
        body,
    )


def histogram(buckets: Sequence[tuple[str, int]], *, title: str = "") -> SafeString:
    """Vertical bars over labelled buckets."""
    width, height, base = 360, 150, 120
    top = max((count for _, count in buckets), default=0) or 1
    step = width / max(1, len(buckets))
    parts = []
    for index, (label, count) in enumerate(buckets):
        bar = (base - 15) * count / top
        x = index * step
        parts.append(
            (
                f"{x + 4:.1f}",
                f"{base - bar:.1f}",
                f"{step - 8:.1f}",
                f"{bar:.1f}",
                f"{x + step / 2:.1f}",
                f"{base - bar - 3:.1f}",
                count,
                f"{x + step / 2:.1f}",
                base + 14,
                label,
            )
        )
    body = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#1f5fa8"></rect>'
        '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>'
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
        parts,
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        title,
        width,
        height,
        width,
        height,
        title,
        body,
    )
