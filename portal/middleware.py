"""Request middleware: the audit trail's actor and the page's classification banners."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from portal import audit
from portal.access import apply_if_due
from portal.banners import BANNER_PLACEHOLDER, collecting, render_banner
from portal.network import client_address

# Answers that show what was read: success, redirects, and a form shown again with its errors
# (400). A refusal, a missing record or a failure shows nothing.
SHOWING_STATUSES = frozenset(range(200, 401))


class AuditContextMiddleware:
    """Tells the audit trail who is acting, and from where, for the length of a request, and
    writes the reads of classified records the response showed once it is ready (none for a
    refusal or a failure: nothing was shown)."""

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
        with audit.acting_as(actor), audit.reading() as reads:
            response = self.get_response(request)
            if response.status_code in SHOWING_STATUSES:
                audit.write_reads(reads)
            return response


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
        with collecting() as page:
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


class AccessChangeMiddleware:
    """Applies a user's approved access changes that have come into force before the request
    is served, so that no session keeps an access its user no longer has (or lacks one just
    granted). Costs nothing until a change is due: the due time is on the user row."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and apply_if_due(user) and not user.is_active:
            logout(request)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class SecondFactorMiddleware:
    """Users who need a second factor (see `User.needs_second_factor`) reach nothing but the
    sign-in pages until they have entered a one-time password in this session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.needs_second_factor
            and not user.is_verified()
            and not self._exempt(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "A one-time password is required for this account."}, status=403
                )
            return redirect_to_login(request.get_full_path(), login_url=reverse("second-factor"))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        open_paths = (
            reverse("login"),
            reverse("logout"),
            reverse("second-factor"),
            "/" + settings.STATIC_URL,
        )
        return path.startswith(open_paths)
