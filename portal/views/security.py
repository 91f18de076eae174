"""The security officer's pages: users, their access and its history, and approvals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views import View
from django.views.generic import ListView

from portal import access
from portal.forms import AccessForm, DecisionForm, NewUserForm
from portal.models import AccessChange, AccessChangeStatus, Role, User
from portal.tables import Table, TablePageMixin
from portal.views.base import RoleRequiredMixin


class SecurityOfficerMixin(RoleRequiredMixin):
    roles = (Role.SECURITY_OFFICER,)


USER_TABLE = Table(
    sorts={
        "username": ("username", "id"),
        "nationality": ("nationality", "username"),
        "clearance": ("clearance", "username"),
        "spoc": ("spoc__code", "username"),
        "role": ("role", "username"),
        "due": ("access_change_due", "username"),
    },
    default="username",
    search=("username", "email"),
)


class UserListView(TablePageMixin, SecurityOfficerMixin, ListView):
    model = User
    template_name = "portal/security/user_list.html"
    paginate_by = 100
    table = USER_TABLE

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.select_related("spoc")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending_count"] = AccessChange.objects.filter(status=AccessChangeStatus.PENDING).count()
        return context


class UserCreateView(SecurityOfficerMixin, View):
    template_name = "portal/security/user_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": NewUserForm(initial={"is_active": True})})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NewUserForm(request.POST)
        if form.is_valid():
            try:
                user, change = access.create_user(
                    request.user,
                    username=form.cleaned_data["username"],
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    nationality=form.cleaned_data["nationality"],
                    access=form.desired(),
                    reason=form.cleaned_data["reason"],
                    effective_at=form.cleaned_data["effective_at"],
                )
            except access.AccessChangeRefused as exc:
                form.add_error(None, str(exc))
            else:
                _report(request, change)
                return redirect("security-user", pk=user.pk)
        return render(request, self.template_name, {"form": form})


def _report(request: HttpRequest, change: AccessChange | None) -> None:
    if change is None:
        messages.success(request, "User created.")
    elif change.status == AccessChangeStatus.PENDING:
        messages.info(request, "The change waits for a second security officer's approval.")
    elif change.status == AccessChangeStatus.APPROVED:
        messages.info(request, f"The change comes into force at {change.in_force_at:%Y-%m-%d %H:%M} UTC.")
    else:
        messages.success(request, "The change is in force from the user's next request.")


def _moment(text: str) -> dt.datetime | dt.date | None:
    text = text.strip()
    if not text:
        return None
    if len(text) == 10:
        return parse_date(text)
    moment = parse_datetime(text)
    if moment is not None:
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)
    return None


class UserDetailView(SecurityOfficerMixin, View):
    template_name = "portal/security/user_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = get_object_or_404(User, pk=pk)
        return self.render(request, user, AccessForm(initial=AccessForm.initial_for(user)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = get_object_or_404(User, pk=pk)
        form = AccessForm(request.POST)
        if form.is_valid():
            try:
                change = access.request_change(
                    request.user,
                    user,
                    form.desired(),
                    reason=form.cleaned_data["reason"],
                    effective_at=form.cleaned_data["effective_at"],
                )
            except access.AccessChangeRefused as exc:
                form.add_error(None, str(exc))
            else:
                _report(request, change)
                return redirect("security-user", pk=user.pk)
        return self.render(request, user, form, status=400)

    def render(self, request: HttpRequest, user: User, form: AccessForm, status: int = 200) -> HttpResponse:
        on_text = request.GET.get("on", "")
        moment = _moment(on_text)
        context = {
            "subject": user,
            "form": form,
            "own": user.pk == request.user.pk,
            "changes": AccessChange.objects.filter(user=user).select_related("requested_by", "decided_by"),
            "on": on_text,
            "on_invalid": bool(on_text.strip()) and moment is None,
            "access_then": access.access_on(user, moment) if moment is not None else None,
            "access_now": access.AccessProfile.of(user),
        }
        return render(request, self.template_name, context, status=status)


class ApprovalListView(SecurityOfficerMixin, ListView):
    template_name = "portal/security/approval_list.html"

    def get_queryset(self) -> QuerySet[AccessChange]:
        return AccessChange.objects.filter(status=AccessChangeStatus.PENDING).select_related(
            "user", "requested_by"
        )


class DecisionView(SecurityOfficerMixin, View):
    approve = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        change = get_object_or_404(AccessChange, pk=pk)
        form = DecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            if self.approve:
                access.approve(request.user, change, note)
                messages.success(request, f"Approved: {change.user.username}'s change of access.")
            else:
                access.refuse(request.user, change, note)
                messages.success(request, f"Refused: {change.user.username}'s change of access.")
        except access.AccessChangeRefused as exc:
            messages.error(request, str(exc))
        return redirect(reverse("security-approvals"))
