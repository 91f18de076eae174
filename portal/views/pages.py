"""The core's pages: home, notices, the audit log and the task-runs list."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import CreateView, ListView, TemplateView

from portal import audit, marking_changes, ownership
from portal.audit_filters import AuditEventFilter
from portal.dashboard import panels_for
from portal.errors import NotAllowed
from portal.forms import DowngradeForm, NoticeForm
from portal.markings.marking import Marking
from portal.markings.models import MarkedModel
from portal.model_labels import model_for
from portal.models import AuditAction, AuditEvent, Notice, Role, TaskRun
from portal.tables import Table, TablePageMixin
from portal.task_runs import runs_visible_to
from portal.views.base import MarkedDetailView, MarkedListView, RoleRequiredMixin


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        notices = Notice.objects.visible_to(self.request.user)
        context["panels"] = panels_for(self.request.user)
        context["recent_notices"] = list(notices.select_related("spoc")[:5])
        audit.record_reads(context["recent_notices"])
        context["recent_runs"] = runs_visible_to(self.request.user)[:5]
        # The unread count is marked like what it counts, so it is shown (and raises the banner)
        # only on the pages that are about one's own work: here and the notifications list.
        context["show_unread_count"] = True
        return context


NOTICE_TABLE = Table(
    sorts={
        "title": ("title", "id"),
        "from": ("spoc__code", "-created", "-id"),
        "when": ("created", "id"),
    },
    default="-when",
    search=("title", "body"),
)


class NoticeListView(TablePageMixin, MarkedListView):
    model = Notice
    template_name = "portal/notice_list.html"
    table = NOTICE_TABLE

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


CSV_COLUMNS = [
    "at",
    "actor_name",
    "action",
    "model",
    "object_id",
    "object_repr",
    "marking",
    "remote_addr",
    "path",
    "detail",
]


def audit_csv(events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    """The filtered trail as CSV, streamed; its first line is the marking of what it quotes."""
    rows = events.order_by("at", "id").values_list(*CSV_COLUMNS)
    markings = [
        Marking.parse(m) for m in events.exclude(marking="").values_list("marking", flat=True).distinct()
    ]
    banner = Marking.combine(*markings).banner if markings else Marking.unclassified().banner

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([f"# {banner}"])
        writer.writerow(CSV_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            at, *rest = row
            writer.writerow([at.isoformat(), *rest[:-1], json.dumps(rest[-1], sort_keys=True)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    response["X-Classification"] = banner
    return response


AUDIT_TABLE = Table(
    sorts={
        "at": ("at", "id"),
        "who": ("actor_name", "-at", "-id"),
        "action": ("action", "-at", "-id"),
        "record": ("model", "object_id", "-at", "-id"),
    },
    default="-at",
    search=("actor_name", "object_repr", "model", "path"),
)
TASK_RUN_TABLE = Table(
    sorts={
        "started": ("started", "id"),
        "name": ("name", "-started", "-id"),
        "status": ("status", "-started", "-id"),
        "finished": ("finished", "id"),
    },
    default="-started",
    search=("name", "error"),
)


class AuditLogView(TablePageMixin, RoleRequiredMixin, ListView):
    roles = (Role.SECURITY_OFFICER,)
    model = AuditEvent
    template_name = "portal/audit_list.html"
    paginate_by = 100
    table = AUDIT_TABLE
    filterset_class = AuditEventFilter
    filterset: AuditEventFilter

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return self.filterset.qs

    def get(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse | StreamingHttpResponse:
        self.filterset = self.filterset_class(request.GET, queryset=AuditEvent.objects.all(), request=request)
        if not self.filterset.is_valid():
            return HttpResponseBadRequest(
                self.filterset.errors_text(), content_type="text/plain; charset=utf-8"
            )
        if request.GET.get("format") == "csv":
            return audit_csv(self.tabled(self.get_queryset()))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["actions"] = AuditAction.choices
        return context


class TaskRunListView(TablePageMixin, MarkedListView):
    model = TaskRun
    template_name = "portal/taskrun_list.html"
    table = TASK_RUN_TABLE

    def get_queryset(self) -> QuerySet[TaskRun]:
        return runs_visible_to(self.request.user)


class MarkingDowngradeView(RoleRequiredMixin, View):
    """The security officer changes the marking of any marked record, with a reason."""

    roles = (Role.SECURITY_OFFICER,)
    template_name = "portal/marking_downgrade.html"

    def _record(self, label: str, pk: int) -> Any:
        try:
            model = model_for(label)
        except LookupError as exc:
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
