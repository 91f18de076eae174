"""The second step of signing in: a one-time password for the users who need one."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from portal import second_factor
from portal.forms import SecondFactorForm


class SecondFactorView(LoginRequiredMixin, View):
    template_name = "registration/second_factor.html"

    def _next(self, request: HttpRequest) -> str:
        target = request.POST.get("next") or request.GET.get("next") or "/"
        if not url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()
        ):
            return "/"
        return target

    def _render(self, request: HttpRequest, form: SecondFactorForm, status: int = 200) -> HttpResponse:
        user = request.user
        enrolling = second_factor.confirmed_device(user) is None  # type: ignore[arg-type]
        context = {"form": form, "next": self._next(request), "enrolling": enrolling}
        if enrolling:
            device = second_factor.enrolment_device(user)  # type: ignore[arg-type]
            context["key"] = second_factor.base32_key(device)
            context["config_url"] = device.config_url
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_verified() or not request.user.needs_second_factor:  # type: ignore[union-attr]
            return redirect(self._next(request))
        return self._render(request, SecondFactorForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondFactorForm(request.POST)
        if form.is_valid():
            if second_factor.verify(request, request.user, form.cleaned_data["token"]):  # type: ignore[arg-type]
                return redirect(self._next(request))
            form.add_error("token", "That code is not valid (or was used already). Wait for the next one.")
        return self._render(request, form, status=400)
