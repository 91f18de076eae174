"""The admin site class (its own module: the admin registry imports it before any ModelAdmin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import HttpRequest
from django.shortcuts import redirect

from portal import audit


class AuditedAutocompleteView(AutocompleteJsonView):
    """The choices an autocomplete box lists (already only those the reader may see, through
    the marked admin's queryset) are reads for the audit trail."""

    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, str]:
        audit.record_reads([obj])
        return super().serialize_result(obj, to_field_name)  # type: ignore[misc]


class PortalAdminSite(admin.AdminSite):
    """The Django admin, for superusers who have entered a one-time password this session."""

    site_header = "Coalition SDA Portal administration"

    def login(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # A signed-in user who is not admin staff has nothing here: back to the portal's pages.
        if request.user.is_authenticated and not request.user.is_staff:
            return redirect("home")
        return super().login(request, extra_context)

    def autocomplete_view(self, request: HttpRequest) -> Any:
        return AuditedAutocompleteView.as_view(admin_site=self)(request)

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        verified = getattr(user, "is_verified", None)
        return super().has_permission(request) and callable(verified) and bool(verified())
