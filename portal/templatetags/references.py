"""Related records in templates, through the one references rule (portal.references).

``{% readable object.operation as operation %}`` gives the record, or None when the page's
reader may not read it; ``{% readable_rows object.targets.all as targets %}`` the readable ones
of many (a child with a hidden link is left out, and not counted).
"""

from __future__ import annotations

from typing import Any

from django import template

from portal.references import reader_for

register = template.Library()


def _reader(context: template.Context) -> Any:
    request = context.get("request")
    if request is not None:
        return reader_for(request)
    return reader_for(context.get("user"))


@register.simple_tag(takes_context=True)
def readable(context: template.Context, value: Any) -> Any:
    return _reader(context).shown(value)


@register.simple_tag(takes_context=True)
def readable_rows(context: template.Context, rows: Any) -> list[Any]:
    return _reader(context).shown_all(rows if rows is not None else [])
