"""A user's own API tokens: issued from a signed-in (and, where required, verified) session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from portal import api_tokens
from portal.forms import IssueTokenForm
from portal.models import ApiToken, User


class ApiTokenView(LoginRequiredMixin, View):
    template_name = "portal/api_tokens.html"

    def _render(
        self, request: HttpRequest, form: IssueTokenForm, key: str = "", status: int = 200
    ) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        context = {
            "form": form,
            "tokens": api_tokens.tokens_of(user),
            "new_key": key,
            "can_issue": user.spoc_id is not None,
            "now": timezone.now(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, IssueTokenForm(user=request.user))  # type: ignore[arg-type]

    def post(self, request: HttpRequest) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        form = IssueTokenForm(request.POST, user=user)
        if form.is_valid():
            try:
                _, key = api_tokens.issue(
                    user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
                )
            except api_tokens.TokenRefused as exc:
                form.add_error(None, str(exc))
            else:
                # Shown in this response only: it is not stored anywhere it could be read again.
                return self._render(request, IssueTokenForm(user=user), key=key)
        return self._render(request, form, status=400)


class RevokeApiTokenView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        # Someone else's token is as absent as a missing one.
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        api_tokens.revoke(request.user, token)  # type: ignore[arg-type]
        messages.success(request, f"Revoked {token}.")
        return redirect("api-tokens")
