from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import CreateView, ListView, TemplateView

from portal import marking_changes, ownership
from portal.dashboard import panels_for
from portal.errors import NotAllowed
from portal.forms import DowngradeForm, NoticeForm
from portal.markings.models import MarkedModel
from portal.models import AuditAction, AuditEvent, Notice, Role, TaskRun
from portal.views.base import MarkedDetailView, MarkedListView, RoleRequiredMixin


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        notices = Notice.objects.visible_to(self.request.user)
        context["panels"] = panels_for(self.request.user)
        context["recent_notices"] = list(notices.select_related("spoc")[:5])
        context["recent_runs"] = TaskRun.objects.all()[:5]
        return context


class NoticeListView(MarkedListView):
    model = Notice
    template_name = "portal/notice_list.html"

    def get_queryset(self) -> QuerySet[Notice]:
        return super().get_queryset().select_related("spoc", "author")


class NoticeDetailView(MarkedDetailView):
    model = Notice
    template_name = "portal/notice_detail.html"


class NoticeCreateView(LoginRequiredMixin, CreateView):
    model = Notice
    form_class = NoticeForm
    template_name = "portal/notice_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: NoticeForm) -> HttpResponse:
        try:
            spoc = ownership.authoring_spoc(self.request.user, Notice)
        except NotAllowed as refused:
            form.add_error(None, refused.message)
            return self.form_invalid(form)
        form.instance.author = self.request.user
        form.instance.spoc = spoc
        notice = form.save()
        return redirect("notice-detail", pk=notice.pk)


class AuditLogView(RoleRequiredMixin, ListView):
    roles = (Role.SECURITY_OFFICER,)
    model = AuditEvent
    template_name = "portal/audit_list.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.all()
        params = self.request.GET
        if params.get("actor"):
            events = events.filter(actor_name=params["actor"])
        if params.get("action"):
            events = events.filter(action=params["action"])
        if params.get("model"):
            events = events.filter(model=params["model"])
        if params.get("object_id"):
            events = events.filter(object_id=params["object_id"])
        return events

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["actions"] = AuditAction.choices
        return context


class TaskRunListView(MarkedListView):
    model = TaskRun
    template_name = "portal/taskrun_list.html"


class MarkingDowngradeView(RoleRequiredMixin, View):
    """The security officer changes the marking of any marked record, with a reason."""

    roles = (Role.SECURITY_OFFICER,)
    template_name = "portal/marking_downgrade.html"

    def _record(self, label: str, pk: int) -> Any:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise Http404 from exc
        if not issubclass(model, MarkedModel):
            raise Http404
        return get_object_or_404(model.objects.visible_to(self.request.user), pk=pk)

    def get(self, request: HttpRequest, label: str, pk: int) -> HttpResponse:
        record = self._record(label, pk)
        form = DowngradeForm(user=request.user, record=record)
        return render(request, self.template_name, {"form": form, "record": record})

    def post(self, request: HttpRequest, label: str, pk: int) -> HttpResponse:
        record = self._record(label, pk)
        form = DowngradeForm(request.POST, user=request.user, record=record)
        if form.is_valid():
            try:
                marking_changes.downgrade(
                    record, request.user, form.cleaned_data["marking"], form.cleaned_data["reason"]
                )
            except marking_changes.MarkingChangeRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Marking of {record} is now {record.marking.banner}.")
                return redirect(request.path)
        return render(request, self.template_name, {"form": form, "record": record})
