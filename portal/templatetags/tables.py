"""Column headers that sort, and page links that keep the rest of the query."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

register = template.Library()


def _query(context: template.Context, **changes: Any) -> str:
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    pairs = (
        [(k, v) for k in params for v in params.getlist(k)]
        if hasattr(params, "getlist")
        else list(params.items())
    )
    return "?" + urlencode(pairs)


@register.simple_tag(takes_context=True)
def sort_header(
    context: template.Context, key: str, label: str, param: str = "sort", page_param: str = "page"
) -> SafeString:
    """A header link that sorts by `key`; a second click reverses it. Back to the first page."""
    request = context.get("request")
    current = (request.GET.get(param, "") if request is not None else "") or str(
        context.get(f"default_{param}") or ""
    )
    state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
    mark = {"ascending": " ▲", "descending": " ▼"}.get(state, "")
    return format_html(
        '<a class="sort" aria-sort="{}" href="{}">{}{}</a>',
        state,
        _query(context, **{param: f"-{key}" if state == "ascending" else key, page_param: None}),
        label,
        mark,
    )


@register.simple_tag(takes_context=True)
def page_link(context: template.Context, number: int, param: str = "page") -> str:
    return _query(context, **{param: number})


@register.filter
def elided_pages(paginator: Any, number: int) -> Any:
    return paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)


@register.inclusion_tag("_table_search.html", takes_context=True)
def table_search(context: template.Context, placeholder: str = "Search") -> dict[str, Any]:
    """The free-text search of a list: the other parameters of the query are kept, the page is not."""
    request = context.get("request")
    params = request.GET if request is not None else {}
    kept = [
        (k, v)
        for k in params
        if k not in ("q", "page")
        for v in (params.getlist(k) if hasattr(params, "getlist") else [params[k]])
    ]
    return {"q": params.get("q", ""), "kept": kept, "placeholder": placeholder}
