"""Portion marks per row and the page banner placeholder.

Every record a template shows goes through `{% portion obj %}` (or `{% mark_page obj %}` where
no portion mark is wanted), which also adds its marking to the page's banner and, given the
record itself (not only its marking), notes a read of it for the audit trail.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from portal import audit
from portal.banners import BANNER_CLASSES, BANNER_PLACEHOLDER, note_on_page
from portal.markings.marking import Marking

register = template.Library()


def _note(marking: Marking, shown: Any = None) -> None:
    audit.record_reads([shown])
    note_on_page(marking)


def _marking_of(value: Any) -> Marking:
    if isinstance(value, Marking):
        return value
    if isinstance(value, str):
        return Marking.parse(value)
    return value.marking


@register.simple_tag
def portion(value: Any) -> SafeString:
    marking = _marking_of(value)
    _note(marking, value)
    return format_html(
        '<span class="portion {}" title="{}">({})</span>',
        BANNER_CLASSES[marking.level].replace("banner", "portion"),
        marking.banner,
        marking.portion,
    )


@register.simple_tag
def mark_page(value: Any) -> str:
    _note(_marking_of(value), value)
    return ""


@register.simple_tag
def classification_banner() -> SafeString:
    return mark_safe(BANNER_PLACEHOLDER)  # noqa: S308  (a constant comment, filled in by middleware)


@register.filter
def banner_class(value: Any) -> str:
    return BANNER_CLASSES[_marking_of(value).level]
