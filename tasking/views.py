"""Pages of tasking. Thin: every rule lives in tasking.services and tasking.workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from portal import audit
from portal.errors import DomainError, NotAllowed
from portal.filters import FilteredPageMixin
from portal.models import Role, SpOC
from portal.tables import BadTableParameter, BoundedMarkedPaginator, Table, TablePageMixin, numbered_page
from portal.views.base import RoleRequiredMixin
from tasking.choices import IN_HAND_STATUSES, RequestAction, RequestStatus
from tasking.filters import UNMET_FILTER, UNMET_LABEL, TaskingRequestFilter
from tasking.forms import AnswerForm, MessageForm, MetricsParamsForm, RequestForm, WhatIfForm
from tasking.models import (
    CoalitionOperation,
    Notification,
    RequestMessage,
    SsnTask,
    TaskingRequest,
    is_operator,
)
from tasking.services import conversation, coverage_whatif, fulfilment, metrics, ssn_schedule, transitions
from tasking.services import operations as operation_services
from tasking.services.filing import file_request
from tasking.services.filing_help import WINDOW_PRESETS, pick_json, pick_objects, preview_passes
from tasking.services.rows import load_children, request_row, request_rows, with_page_data

REQUEST_TABLE = Table(
    sorts={
        "created": ("created", "id"),
        "deadline": ("response_deadline", "id"),
        "status": ("status", "id"),
        "ref": ("id",),
        "title": ("title", "id"),
        "to": ("spoc__code", "id"),
    },
    default="-created",
    search=("title", "id="),
)
INBOX_TABLE = Table(
    sorts={"deadline": ("response_deadline", "id"), "created": ("created", "id"), "ref": ("id",)},
    default="deadline",
    search=("title", "id="),
)
# Rows per inbox list. Each row carries its windows, passes and answer forms, several lines
# tall, and the lists run soonest deadline first: 25 waiting and 25 in hand fit the screens a
# watch reads; fifty of each took half the page's time to draw and was scrolled past.
INBOX_PAGE_SIZE = 25
NOTIFICATION_TABLE = Table(
    sorts={"created": ("created", "id"), "kind": ("kind", "-created", "-id"), "read": ("read_at", "id")},
    default="-created",
    search=("title", "body"),
)


class RequestListView(TablePageMixin, FilteredPageMixin, LoginRequiredMixin, ListView):
    model = TaskingRequest
    template_name = "tasking/request_list.html"
    paginate_by = 50
    paginator_class = BoundedMarkedPaginator  # a SpOC's history runs to tens of thousands
    table = REQUEST_TABLE
    filterset_class = TaskingRequestFilter

    def get_queryset(self) -> QuerySet[TaskingRequest]:
        user = self.request.user
        return with_page_data(self.filter_page(TaskingRequest.objects.accessible_to(user)))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        load_children(list(context["object_list"]), self.request)
        audit.record_reads(context["object_list"])
        context["statuses"] = [(UNMET_FILTER, UNMET_LABEL), *RequestStatus.choices]
        context["spocs"] = SpOC.objects.exclude(nation_id="USA")
        context["can_file"] = is_operator(self.request.user)
        context["filtered"] = any(self.request.GET.get(k) for k in (*self.filterset.filters, "q"))
        return context


class InboxView(RoleRequiredMixin, TemplateView):
    """The requests addressed to the reader's SpOC, in two numbered lists: those waiting for an
    answer, and those in hand. Each page loads only its rows; totals count what the reader
    may open."""

    roles = (Role.PARTNER_STAFF,)
    model = TaskingRequest  # what the page is about (the generated tests walk pages by it)
    template_name = "tasking/inbox.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            INBOX_TABLE.sort_of(request)
            INBOX_TABLE.sort_of(request, "hand_sort")
        except BadTableParameter as exc:
            return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        inbox = TaskingRequest.objects.answerable_by(user)
        awaiting = numbered_page(
            with_page_data(INBOX_TABLE.apply(inbox.filter(status=RequestStatus.SUBMITTED), self.request)),
            self.request,
            per_page=INBOX_PAGE_SIZE,
        )
        in_hand = numbered_page(
            with_page_data(
                INBOX_TABLE.apply(inbox.filter(status__in=IN_HAND_STATUSES), self.request, prefix="hand_")
            ),
            self.request,
            param="hand_page",
            per_page=INBOX_PAGE_SIZE,
        )
        # Both lists' rows in one go: their children are loaded by one query per kind.
        waiting = list(awaiting.object_list)
        rows = request_rows([*waiting, *in_hand.object_list], self.request, answerable=True)
        awaiting_rows, in_hand_rows = rows[: len(waiting)], rows[len(waiting) :]
        audit.record_reads([row.request for row in (*awaiting_rows, *in_hand_rows)])
        context.update(
            awaiting=awaiting,
            in_hand=in_hand,
            awaiting_rows=awaiting_rows,
            in_hand_rows=in_hand_rows,
            q=self.request.GET.get("q", ""),
            default_sort=INBOX_TABLE.default,
            default_hand_sort=INBOX_TABLE.default,
        )
        return context


class RequestCreateView(RoleRequiredMixin, FormView):
    roles = (Role.US_OPERATOR,)
    template_name = "tasking/request_form.html"
    form_class = RequestForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["window_presets"] = [
            (key, label, int(span.total_seconds())) for key, label, span in WINDOW_PRESETS
        ]
        context["default_markings"] = context["form"].default_markings
        return context

    def form_valid(self, form: RequestForm) -> HttpResponse:
        try:
            filed = file_request(form.filing(), self.request.user)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{filed.request.reference} sent to {filed.request.spoc}.")
        for warning in filed.warnings:
            messages.warning(self.request, warning)
        return redirect("request-detail", pk=filed.request.pk)


class CatalogPickView(RoleRequiredMixin, View):
    """The filing form's catalog search: objects the filer may read, as JSON."""

    roles = (Role.US_OPERATOR,)

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("q", "").strip()
        if not text:
            # A search for nothing is a malformed question, not an empty answer.
            return JsonResponse(
                {"error": "q: give part of a catalog number, name or international designator"}, status=400
            )
        found = pick_objects(request.user, text)
        audit.record_reads(found)
        return JsonResponse({"results": [pick_json(obj) for obj in found]})


class PassPreviewView(RoleRequiredMixin, View):
    """The passes a request filled in so far would be filed with (an htmx fragment; nothing saved)."""

    roles = (Role.US_OPERATOR,)
    needed = ("targets", "window_start", "window_end", "minimum_tier", "observation_type")

    def get(self, request: HttpRequest) -> HttpResponse:
        form = RequestForm(data=request.GET, user=request.user)
        form.is_valid()
        data = form.cleaned_data
        problems = [
            f"{form.fields[name].label}: {' '.join(str(e) for e in form.errors[name])}"
            for name in self.needed
            if name in form.errors
        ]
        if not (data.get("spoc") or data.get("sensor")):
            problems.append("Choose a partner SpOC or one sensor.")
        if problems:
            return render(request, "tasking/_pass_preview.html", {"problems": problems})
        preview = preview_passes(
            request.user,
            targets=data["targets"],
            spoc=None if data.get("sensor") else data.get("spoc"),
            sensor=data.get("sensor"),
            start=data["window_start"],
            end=data["window_end"],
            minimum_tier=data["minimum_tier"],
            observation_type=data["observation_type"],
            marking=data.get("marking"),
            now=timezone.now(),
        )
        if not preview.problem:
            named = {p.target.space_object for p in preview.passes} | set(preview.without_elements)
            audit.record_reads([*named, *preview.sensors])
        problems = [preview.problem] if preview.problem else []
        return render(request, "tasking/_pass_preview.html", {"preview": preview, "problems": problems})


def _get_request(user: Any, pk: int) -> TaskingRequest:
    """A request the user may open, or a 404 exactly like a missing one."""
    return get_object_or_404(
        # The request's page also names who filed it and its operation.
        with_page_data(TaskingRequest.objects.accessible_to(user)).select_related(
            "agreement", "requested_by", "operation"
        ),
        pk=pk,
    )


class RequestDetailView(LoginRequiredMixin, View):
    model = TaskingRequest  # what the page is about (the generated tests walk pages by it)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "tasking/request_detail.html", self.context(request, pk))

    @staticmethod
    def context(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
        user = request.user
        obj = _get_request(user, pk)
        audit.record_reads([obj])
        thread = list(RequestMessage.objects.visible_to(user).filter(request=obj))
        audit.record_reads(thread)
        ssn_tasks = list(SsnTask.objects.visible_to(user).filter(request=obj).select_related("sensor"))
        audit.record_reads(ssn_tasks)
        return {
            "object": obj,
            "row": request_row(obj, request),
            "events": obj.events.all(),
            "thread": thread,
            "ssn_tasks": ssn_tasks,
            "evidence": list(fulfilment.evidence_for(obj, user)[:200]),
            "message_form": MessageForm(user=user, initial_marking=obj.marking),
            **extra,
        }


class RequestActView(LoginRequiredMixin, View):
    """An answer or step, from a button. htmx gets the row (inbox) or panel (detail) back in place."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        user = request.user
        obj = _get_request(user, pk)
        if action not in RequestAction.values:
            raise Http404
        form = AnswerForm(request.POST)
        form.is_valid()
        error = ""
        status = 200
        try:
            obj = transitions.apply(
                obj,
                action,
                by=user,
                reason_code=form.cleaned_data.get("reason_code") or "",
                text=form.cleaned_data.get("text") or "",
                window=form.window(),
            )
        except NotAllowed as exc:
            error, status = exc.message, 403
        except DomainError as exc:
            error = exc.message
            if not request.htmx:  # type: ignore[attr-defined]
                status = exc.status
        where = request.POST.get("from", "detail")
        done = "" if error else self.confirmation(obj, action)
        if request.htmx:  # type: ignore[attr-defined]
            return self.fragment(request, obj.pk, where, error, status, done)
        if status == 403:
            return HttpResponse(error, status=403)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        if where == "inbox":
            return redirect("request-inbox")
        return redirect("request-detail", pk=obj.pk)

    @staticmethod
    def confirmation(obj: TaskingRequest, action: str) -> str:
        """What the person is told once the step is taken (in place, or as a message)."""
        if action == RequestAction.RETASK:
            return f"{obj.reference}: SSN retasking queued."
        return f"{obj.reference} is now {RequestStatus(obj.status).label.lower()}."

    def fragment(
        self, request: HttpRequest, pk: int, where: str, error: str, status: int, done: str = ""
    ) -> HttpResponse:
        user = request.user
        obj = _get_request(user, pk)
        template = "tasking/_inbox_row.html" if where == "inbox" else "tasking/_actions.html"
        context = {
            "row": request_row(obj, request),
            "object": obj,
            "error": error,
            "done": done,
        }
        return render(request, template, context, status=status)


class MessageCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        obj = _get_request(user, pk)
        form = MessageForm(request.POST, user=user)
        if form.is_valid():
            try:
                conversation.post_message(obj, user, form.cleaned_data["body"], form.cleaned_data["marking"])
            except NotAllowed as exc:
                return HttpResponse(exc.message, status=403)
            except DomainError as exc:
                form.add_error("marking" if exc.field == "marking" else None, exc.message)
        if form.errors:
            context = RequestDetailView.context(request, pk, message_form=form)
            return render(request, "tasking/request_detail.html", context, status=400)
        return redirect("request-detail", pk=obj.pk)


OPERATION_TABLE = Table(
    sorts={
        "name": ("name", "id"),
        "status": ("status", "starts", "id"),
        "starts": ("starts", "id"),
        "ends": ("ends", "id"),
    },
    default="-starts",
    search=("name", "code", "description"),
)


class OperationListView(TablePageMixin, LoginRequiredMixin, ListView):
    model = CoalitionOperation
    template_name = "tasking/operation_list.html"
    paginate_by = 50
    table = OPERATION_TABLE

    def get_queryset(self) -> QuerySet[CoalitionOperation]:
        return CoalitionOperation.objects.visible_to(self.request.user).prefetch_related("participants")


class OperationDetailView(LoginRequiredMixin, View):
    model = CoalitionOperation  # what the page is about (the generated tests walk pages by it)
    template_name = "tasking/operation_detail.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        operation = get_object_or_404(CoalitionOperation.objects.visible_to(request.user), code=code)
        audit.record_reads([operation])
        live = operation_services.status_of(operation, request.user)
        audit.record_reads(live.requests)
        template = "tasking/_operation_status.html" if request.htmx else self.template_name  # type: ignore[attr-defined]
        return render(
            request,
            template,
            {
                "operation": operation,
                "live": live,
                "participants": operation.participants.all(),
                "is_live": operation_services.is_live(operation),
                "now": timezone.now(),
            },
        )


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100.0 * rate, 1)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 1)


class MetricsView(LoginRequiredMixin, TemplateView):
    template_name = "tasking/metrics.html"
    params_form = MetricsParamsForm
    params: MetricsParamsForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.params = self.params_form(request.GET)
        if not self.params.is_valid():
            return HttpResponseBadRequest(self.params.errors_text(), content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        months = self.params.cleaned_data["months"]
        report = metrics.partner_metrics(
            self.request.user, months=months, spoc_code=self.params.cleaned_data["spoc"]
        )
        by_spoc: dict[str, list[metrics.MonthFigures]] = {}
        charts_data: list[dict[str, Any]] = []
        for row in report.rows:
            by_spoc.setdefault(row.spoc_name, []).append(row)
        panels = []
        for index, (name, rows) in enumerate(by_spoc.items()):
            merged = metrics.MonthFigures(0, "", name, rows[0].month)
            merged.histogram = [sum(counts) for counts in zip(*(r.histogram for r in rows), strict=True)]
            panels.append({"name": name, "rows": rows, "chart_id": f"metrics-chart-{index}"})
            charts_data.append(
                {
                    "id": f"metrics-chart-{index}",
                    "name": name,
                    "months": [r.month.strftime("%Y-%m") for r in rows],
                    "acceptance": [_percent(r.acceptance_rate) for r in rows],
                    "fulfilment": [_percent(r.fulfilment_rate) for r in rows],
                    "latency_min": [
                        None if r.median_latency_s is None else round(r.median_latency_s / 60.0, 1)
                        for r in rows
                    ],
                    "histogram": merged.response_histogram,
                }
            )
        context.update(report=report, panels=panels, charts_data=charts_data, months=months)
        return context


class NotificationListView(TablePageMixin, LoginRequiredMixin, ListView):
    template_name = "tasking/notification_list.html"
    paginate_by = 50
    table = NOTIFICATION_TABLE

    def get_queryset(self) -> QuerySet[Notification]:
        return (
            Notification.objects.visible_to(self.request.user)
            .filter(user=self.request.user)
            .select_related("request")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_unread_count"] = True
        return context


class NotificationReadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = get_object_or_404(
            Notification.objects.visible_to(request.user).filter(user=request.user), pk=pk
        )
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        if notification.request_id:
            return redirect("request-detail", pk=notification.request_id)
        return redirect("notification-list")


def _hour(value: dt.datetime) -> dt.datetime:
    return value.replace(minute=0, second=0, microsecond=0)


class SsnTimelineView(LoginRequiredMixin, View):
    """Scheduled SSN tracks per sensor over a span, coloured by the priority of their request."""

    def get(self, request: HttpRequest) -> HttpResponse:
        start, hours, problems = _hour(timezone.now()), 24, []
        if request.GET.get("from"):
            try:
                start = _aware(dt.datetime.fromisoformat(request.GET["from"]))
            except ValueError:
                problems.append(f"from: not an ISO 8601 time: {request.GET['from'][:40]!r}; showing from now")
        if request.GET.get("hours"):
            if request.GET["hours"] in {str(h) for h in ssn_schedule.TIMELINE_HOURS}:
                hours = int(request.GET["hours"])
            else:
                problems.append(f"hours: one of {', '.join(map(str, ssn_schedule.TIMELINE_HOURS))}")
        timeline = ssn_schedule.timeline(request.user, start, hours)
        audit.record_reads(timeline.tasks)
        return render(
            request,
            "tasking/ssn_timeline.html",
            {
                "timeline": timeline,
                "chart": timeline.chart(),
                "hours": hours,
                "spans": ssn_schedule.TIMELINE_HOURS,
                "earlier": (start - dt.timedelta(hours=hours)).isoformat(),
                "later": (start + dt.timedelta(hours=hours)).isoformat(),
                "problems": problems,
                "levels": ssn_schedule.LEVEL_COLOURS,
            },
            status=400 if problems else 200,
        )


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


class GapReportView(LoginRequiredMixin, View):
    """What the latest retasking run could not cover, and why, as far as the reader may read."""

    def get(self, request: HttpRequest) -> HttpResponse:
        running = ssn_schedule.running_runs(request.user)
        audit.record_reads(running)
        part = request.GET.get("part", "")
        if part == "progress":
            return render(request, "tasking/_retasking_progress.html", {"running": running})
        if part:
            return HttpResponseBadRequest(
                "part: only 'progress' (the live progress of running retasking).",
                content_type="text/plain; charset=utf-8",
            )
        reason = request.GET.get("reason", "")
        regime = request.GET.get("regime", "")
        level_text = request.GET.get("priority", "")
        problems = []
        if reason and reason not in dict(ssn_schedule.REASONS):
            problems.append(f"reason: unknown reason {reason[:40]!r}")
            reason = ""
        if regime and regime not in REGIMES:
            problems.append(f"regime: one of {', '.join(REGIMES)}")
            regime = ""
        level = None
        if level_text:
            if level_text in {"1", "2", "3", "4", "5"}:
                level = int(level_text)
            else:
                problems.append("priority: a level from 1 (most urgent) to 5")
        run, gaps = ssn_schedule.gap_report(request.user, reason=reason, regime=regime, level=level)
        shown = list(gaps[:500])
        audit.record_reads(shown)
        if run is not None:
            audit.record_reads([run])
        return render(
            request,
            "tasking/gap_report.html",
            {
                "run": run,
                "running": running,
                "gaps": shown,
                "total": gaps.count(),
                "reasons": ssn_schedule.REASONS,
                "regimes": REGIMES,
                "reason": reason,
                "regime": regime,
                "priority": level_text if level else "",
                "problems": problems,
            },
            status=400 if problems else 200,
        )


REGIMES = ("LEO", "MEO", "GEO", "HEO")


class CoverageWhatIfView(LoginRequiredMixin, View):
    """A proposed sensor re-run against the last period's unmet demand the reader may read."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = WhatIfForm(request.GET or None)
        result = None
        if form.is_bound and form.is_valid():
            try:
                proposed = coverage_whatif.proposed_sensor(**form.cleaned_data)
                result = coverage_whatif.coverage_whatif(proposed, user=request.user)
            except coverage_whatif.WhatIfError as exc:
                form.add_error(None, str(exc))
        sensors = coverage_whatif.network(request.user)
        audit.record_reads(sensors)  # the map names them
        return render(
            request,
            "tasking/coverage_whatif.html",
            {
                "form": form,
                "result": result,
                "sites": {
                    "network": coverage_whatif.sensors_summary(sensors),
                    "proposed": None
                    if result is None
                    else {"lat": result.proposed.latitude_deg, "lon": result.proposed.longitude_deg},
                },
                "period_hours": int(coverage_whatif.PERIOD.total_seconds() // 3600),
            },
            status=400 if form.is_bound and not form.is_valid() else 200,
        )
