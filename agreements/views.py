"""Pages of agreements and sensors. Thin: the rules live in the models and the agreements modules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from agreements.choices import AgreementKind, EvaluationStatus
from agreements.evidence import runs_for
from agreements.filters import AgreementFilter, SensorFilter
from agreements.forms import (
    AgreementForm,
    BiasForm,
    DecisionForm,
    OutageForm,
    StartEvaluationForm,
    StatementForm,
    TierForm,
    TransitionForm,
    data_plan_formset,
)
from agreements.models import Agreement, DataPlanEntry, Sensor, SensorBias, TierDefinition, TierEvaluation
from agreements.services import map as sensor_map
from agreements.services.access import is_agreement_admin, may_enter_biases, may_record_for
from agreements.services.coverage import coverage_for, coverage_for_many
from agreements.services.tiers import evaluation_progress
from portal.errors import DomainError
from portal.filters import FilteredPageMixin
from portal.models import Role
from portal.references import reader_for
from portal.tables import Table, TablePageMixin
from portal.views.base import MarkedDetailView, MarkedListView, RoleRequiredMixin

MAP_LIMIT = 2000


def _is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.AGREEMENT_ADMIN))


SENSOR_TABLE = Table(
    sorts={
        "spoc": ("spoc__code", "number"),
        "number": ("number", "id"),
        "name": ("name", "id"),
        "type": ("sensor_type", "number"),
        "status": ("status", "number"),
        "level": ("integration_level", "number"),
    },
    default="spoc",
    search=("name", "spoc__code", "number="),
)
AGREEMENT_TABLE = Table(
    sorts={
        "partner": ("partner__code", "-effective_from", "id"),
        "title": ("title", "id"),
        "kind": ("kind", "id"),
        "status": ("status", "id"),
        "effective": ("effective_from", "id"),
        "expires": ("expires_on", "id"),
    },
    default="partner",
    search=("title", "partner__code", "partner__name"),
)


class SensorListView(TablePageMixin, FilteredPageMixin, MarkedListView):
    model = Sensor
    template_name = "agreements/sensor_list.html"
    filterset_class = SensorFilter
    table = SENSOR_TABLE

    def get_queryset(self) -> QuerySet[Sensor]:
        return self.filter_page(super().get_queryset().select_related("spoc"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list(context["object_list"])
        coverage = coverage_for_many(page, timezone.now(), reader=user)
        context["rows"] = [(sensor, coverage[sensor.pk]) for sensor in page]
        context["filter"] = self.filterset
        mapped = list(self.object_list[:MAP_LIMIT])
        context["map_points"] = sensor_map.map_points(mapped)
        context["map_width"], context["map_height"] = sensor_map.WIDTH, sensor_map.HEIGHT
        context["graticule"] = sensor_map.graticule()
        context["land"] = sensor_map.land_path()
        return context


class SensorDetailView(MarkedDetailView):
    model = Sensor
    template_name = "agreements/sensor_detail.html"

    def get_queryset(self) -> QuerySet[Sensor]:
        return super().get_queryset().select_related("spoc")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        sensor: Sensor = self.object
        now = timezone.now()
        context["coverage"] = coverage_for(sensor, now, reader=user)
        context["available_now"] = sensor.is_available(now)
        context["outages"] = sensor.outages.all()[:50]
        context["biases"] = sorted(sensor.current_biases(user).values(), key=lambda b: b.measurement_type)
        context["bias_history"] = SensorBias.objects.visible_to(user).filter(sensor=sensor)
        context["evaluations"] = (
            TierEvaluation.objects.visible_to(user).filter(sensor=sensor).order_by("-started_on")
        )
        context["agreements"] = Agreement.objects.visible_to(user).filter(sensors=sensor)
        context["plan_entries"] = DataPlanEntry.objects.filter(
            sensor=sensor, agreement__in=Agreement.objects.visible_to(user)
        ).select_related("agreement")
        context["is_admin"] = _is_admin(user)
        if may_record_for(user, sensor):
            context.setdefault("outage_form", OutageForm(sensor=sensor, user=user))
        if may_enter_biases(user, sensor):
            context.setdefault("bias_form", BiasForm(sensor=sensor, user=user))
        if is_agreement_admin(user):
            context.setdefault("statement_form", StatementForm(sensor=sensor, user=user))
        return context


class SensorRecordView(SensorDetailView):
    """Posts one of the sensor page's forms; a refused form comes back on the page, marked."""

    http_method_names = ["post"]
    form_class: Any = None
    context_name = ""
    anchor = ""
    saved_message = ""

    def may_record(self, user: Any, sensor: Sensor) -> bool:
        return may_record_for(user, sensor)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.object = sensor = self.get_object()
        if not self.may_record(request.user, sensor):
            raise PermissionDenied("You may not record this for this sensor.")
        form = self.form_class(request.POST, sensor=sensor, user=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, self.saved_message)
            return redirect(f"{reverse('sensor-detail', args=[sensor.pk])}#{self.anchor}")
        context = self.get_context_data(object=sensor, **{self.context_name: form})
        return self.render_to_response(context, status=400)


class SensorOutageCreateView(SensorRecordView):
    form_class = OutageForm
    context_name = "outage_form"
    anchor = "outages"
    saved_message = "Outage recorded."


class SensorBiasCreateView(SensorRecordView):
    form_class = BiasForm
    context_name = "bias_form"
    anchor = "biases"
    saved_message = "Bias entry recorded."

    def may_record(self, user: Any, sensor: Sensor) -> bool:
        return may_enter_biases(user, sensor)


class SensorStatementView(SensorRecordView):
    form_class = StatementForm
    context_name = "statement_form"
    anchor = "statement"
    saved_message = "Data statement saved."

    def may_record(self, user: Any, sensor: Sensor) -> bool:
        return is_agreement_admin(user)


class AgreementListView(TablePageMixin, FilteredPageMixin, MarkedListView):
    model = Agreement
    template_name = "agreements/agreement_list.html"
    filterset_class = AgreementFilter
    table = AGREEMENT_TABLE

    def get_queryset(self) -> QuerySet[Agreement]:
        return self.filter_page(super().get_queryset().select_related("partner"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["is_admin"] = _is_admin(self.request.user)
        context["today"] = timezone.now()
        return context


class AgreementDetailView(MarkedDetailView):
    model = Agreement
    template_name = "agreements/agreement_detail.html"

    def get_queryset(self) -> QuerySet[Agreement]:
        return super().get_queryset().select_related("partner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agreement: Agreement = self.object
        visible_sensors = Sensor.objects.visible_to(user).select_related("spoc")
        if agreement.kind == AgreementKind.SPOC_LEVEL:
            context["covered_sensors"] = visible_sensors.filter(spoc_id=agreement.partner_id)
        else:
            context["covered_sensors"] = visible_sensors.filter(agreements=agreement)
        context["plan"] = agreement.data_plan.filter(sensor__in=visible_sensors).select_related("sensor")
        context["in_force"] = agreement.covers_day(timezone.now())
        context["is_admin"] = _is_admin(user)
        if context["is_admin"]:
            context["history"] = agreement.history.all()[:200]
            form = TransitionForm()
            to: Any = form.fields["to"]
            to.choices = [(s, label) for s, label in to.choices if s in agreement.allowed_transitions()]
            context["transition_form"] = form
        return context


class AgreementEditView(RoleRequiredMixin, View):
    roles = (Role.AGREEMENT_ADMIN,)
    model = Agreement  # what the page is about (the generated tests walk pages by it)
    template_name = "agreements/agreement_form.html"

    def _agreement(self, pk: int | None) -> Agreement:
        if pk is None:
            return Agreement()
        return get_object_or_404(Agreement.objects.visible_to(self.request.user), pk=pk)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        agreement = self._agreement(pk)
        form = AgreementForm(instance=agreement, user=request.user)
        plan = data_plan_formset(request.user, instance=agreement)
        return render(request, self.template_name, {"form": form, "plan": plan, "object": agreement})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        agreement = self._agreement(pk)
        form = AgreementForm(request.POST, instance=agreement, user=request.user)
        plan = data_plan_formset(request.user, data=request.POST, instance=agreement)
        if form.is_valid():
            # The data plan's rules depend on the agreement as it will be saved.
            plan = data_plan_formset(request.user, data=request.POST, instance=form.instance)
            if plan.is_valid():
                try:
                    with transaction.atomic():
                        saved = form.save()
                        plan.instance = saved
                        plan.save()
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.success(request, "Agreement saved.")
                    return redirect("agreement-detail", pk=saved.pk)
        return render(
            request, self.template_name, {"form": form, "plan": plan, "object": agreement}, status=400
        )


class AgreementTransitionView(RoleRequiredMixin, View):
    roles = (Role.AGREEMENT_ADMIN,)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a status.")
        else:
            try:
                agreement.transition(form.cleaned_data["to"], request.user, form.cleaned_data["reason"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Agreement now {agreement.get_status_display()}.")
        return redirect("agreement-detail", pk=agreement.pk)


class EvaluationBoardView(MarkedListView):
    model = TierEvaluation
    template_name = "agreements/evaluation_board.html"

    def get_queryset(self) -> QuerySet[TierEvaluation]:
        return (
            super()
            .get_queryset()
            .filter(status=EvaluationStatus.IN_EVALUATION)
            .select_related("sensor", "sensor__spoc")
            .order_by("expected_end", "id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rows = []
        for evaluation in context["object_list"]:
            # The latest finished calibration run the reader may see gives the results.
            latest = next(iter(runs_for(evaluation.sensor_id, user)), None)
            rows.append(
                (evaluation, evaluation_progress(evaluation, latest.results if latest else None), latest)
            )
        context["rows"] = rows
        context["is_admin"] = _is_admin(user)
        if context["is_admin"]:
            context["start_form"] = StartEvaluationForm(user=user)
        context["recent"] = list(
            TierEvaluation.objects.visible_to(user)
            .exclude(status=EvaluationStatus.IN_EVALUATION)
            .select_related("sensor")
            .order_by("-decided_at")[:20]
        )
        # Each row names its sensor only to its readers ({% readable %}): learnt in one query.
        shown = [*context["object_list"], *context["recent"]]
        reader_for(self.request).note(Sensor, {evaluation.sensor_id for evaluation in shown})
        return context


class EvaluationStartView(RoleRequiredMixin, View):
    roles = (Role.AGREEMENT_ADMIN,)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StartEvaluationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                evaluation = TierEvaluation.start(
                    form.cleaned_data["sensor"],
                    form.cleaned_data["candidate_level"],
                    request.user,
                    started_on=form.cleaned_data["started_on"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("evaluation-detail", pk=evaluation.pk)
        else:
            messages.error(
                request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            )
        return redirect("evaluation-board")


class EvaluationDetailView(MarkedDetailView):
    model = TierEvaluation
    template_name = "agreements/evaluation_detail.html"

    def get_queryset(self) -> QuerySet[TierEvaluation]:
        return super().get_queryset().select_related("sensor", "sensor__spoc")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        runs = runs_for(self.object.sensor_id, self.request.user)
        context["runs"] = runs
        context["latest_run"] = runs[0] if runs else None
        context["progress"] = evaluation_progress(self.object, runs[0].results if runs else None)
        readable = {run.run_id for run in runs}
        context["cited_runs"] = [c for c in self.object.calibration_runs or [] if c.get("id") in readable]
        context["history"] = self.object.history.all()
        context["is_admin"] = _is_admin(self.request.user)
        context["decision_form"] = DecisionForm()
        return context


class EvaluationDecideView(RoleRequiredMixin, View):
    roles = (Role.AGREEMENT_ADMIN,)
    DECISIONS = {
        "promote": EvaluationStatus.PROMOTED,
        "decline": EvaluationStatus.DECLINED,
        "withdraw": EvaluationStatus.WITHDRAWN,
    }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        evaluation = get_object_or_404(TierEvaluation.objects.visible_to(request.user), pk=pk)
        decision = self.DECISIONS.get(request.POST.get("decision", ""))
        if decision is None:
            raise Http404
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a reason for the decision.")
        else:
            try:
                cited = [int(v) for v in request.POST.getlist("calibration_runs") if v.isdigit()]
                evaluation.decide(decision, request.user, form.cleaned_data["reason"], cited)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Evaluation {evaluation.get_status_display().lower()}.")
        return redirect("evaluation-detail", pk=evaluation.pk)


class TierListView(LoginRequiredMixin, ListView):
    model = TierDefinition
    template_name = "agreements/tier_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_admin"] = _is_admin(self.request.user)
        return context


class TierEditView(RoleRequiredMixin, View):
    """An agreement admin edits an integration tier's definition (audited as any change)."""

    roles = (Role.AGREEMENT_ADMIN,)
    model = TierDefinition  # what the page is about (the generated tests walk pages by it)
    template_name = "agreements/tier_form.html"

    def get(self, request: HttpRequest, level: int) -> HttpResponse:
        tier = get_object_or_404(TierDefinition, level=level)
        return render(request, self.template_name, {"form": TierForm(instance=tier), "tier": tier})

    def post(self, request: HttpRequest, level: int) -> HttpResponse:
        tier = get_object_or_404(TierDefinition, level=level)
        form = TierForm(request.POST, instance=tier)
        if form.is_valid():
            form.save()
            messages.success(request, f"Level {tier.level} saved.")
            return redirect("tier-list")
        return render(request, self.template_name, {"form": form, "tier": tier}, status=400)
