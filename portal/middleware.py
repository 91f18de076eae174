from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from portal import audit
from portal.banners import BANNER_PLACEHOLDER, PageMarkings, render_banner
from portal.network import client_address


class AuditContextMiddleware:
    """Tells the audit trail who is acting, and from where, for the length of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = audit.Actor(
            user=user if user is not None and user.is_authenticated else None,
            name=user.get_username() if user is not None and user.is_authenticated else "anonymous",
            remote_addr=client_address(request),
            path=request.get_full_path(),
        )
        with audit.acting_as(actor):
            return self.get_response(request)


class PrivateResponseMiddleware:
    """An answer to a signed-in user (browser session or API token) is never stored by a cache
    and never served to anyone else: `Cache-Control: no-store`, `Vary: Cookie, Authorization`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # DRF authenticates tokens inside the view; the header says the answer was personal.
        personal = bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if personal:
            response["Cache-Control"] = "no-store"
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response


class ClassificationBannerMiddleware:
    """Fills the top and bottom banners with the highest marking the page displayed.

    The banners are written before the rows that carry portion marks, so templates emit a
    placeholder and the marking is settled here, once the whole page has been rendered.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        page = PageMarkings()
        request.page_markings = page  # type: ignore[attr-defined]
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if (
            "text/html" in content_type
            and not response.streaming
            and BANNER_PLACEHOLDER.encode() in response.content
        ):
            banner = render_banner(page.combined()).encode()
            response.content = response.content.replace(BANNER_PLACEHOLDER.encode(), banner)
        return response
