"""Browser pages: upload, batch history, the observation explorer with residual sparklines."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import DetailView, ListView

from agreements.models import Sensor
from catalog.models import SpaceObject
from catalog.observations.filters import ObservationFilter
from catalog.observations.forms import UploadForm
from catalog.observations.models import MISSION_BITS, IngestBatch, Observation
from catalog.observations.services.batches import batches_visible_to
from catalog.observations.services.corrections import sensors_with_hidden_biases, withhold_corrections
from catalog.observations.services.ingest import ingest_bytes
from catalog.observations.services.residuals import latest_residuals
from portal.filters import FilteredPageMixin
from portal.references import reader_for
from portal.tables import BoundedMarkedPaginator, Table, TablePageMixin
from portal.views.base import MarkedDetailView, MarkedListView

SPARK_POINTS = 120
SPARK_WIDTH, SPARK_HEIGHT = 240, 36


class UploadView(LoginRequiredMixin, View):
    template_name = "observations/upload.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": UploadForm(user=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES, user=request.user)
        user: Any = request.user
        if user.spoc is None:
            form.add_error(None, "Your account belongs to no SpOC, so it cannot deliver observations.")
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        result = ingest_bytes(
            user,
            upload.file,  # streamed to the archive
            filename=upload.name,
            channel="upload",
            sensor_number=form.cleaned_data.get("sensor"),
            marking=marking.banner if (marking := form.cleaned_data.get("marking")) else "",
        )
        return redirect("observation-batch-detail", pk=result.batch.pk)


BATCH_TABLE = Table(
    sorts={
        "received": ("received", "id"),
        "spoc": ("spoc__code", "-received", "-id"),
        "channel": ("channel", "-received", "-id"),
        "format": ("data_format", "-received", "-id"),
        "status": ("status", "-received", "-id"),
        "accepted": ("accepted", "id"),
    },
    default="-received",
    search=("filename", "delivered_by_name", "id="),
)
# Searched and sorted over the observation's own fields only: a search or an order through its
# object or sensor would answer for records the reader may not see.
OBSERVATION_TABLE = Table(
    sorts={
        "time": ("ob_time", "id"),
        "track": ("track_id", "-ob_time", "-id"),
        "mode": ("data_mode", "-ob_time", "-id"),
    },
    default="-time",
    search=("track_id", "client_id", "reported_object", "reported_sat_no="),
)


class BatchListView(TablePageMixin, LoginRequiredMixin, ListView):
    model = IngestBatch
    template_name = "observations/batch_list.html"
    paginate_by = 50
    table = BATCH_TABLE

    def get_queryset(self) -> QuerySet[IngestBatch]:
        return batches_visible_to(self.request.user).select_related("spoc")


class BatchDetailView(LoginRequiredMixin, DetailView):
    model = IngestBatch
    template_name = "observations/batch_detail.html"
    context_object_name = "batch"

    def get_queryset(self) -> QuerySet[IngestBatch]:
        return batches_visible_to(self.request.user).select_related("spoc")


def sparkline(values: list[float]) -> str:
    """SVG polyline points of `values` (oldest first), scaled to the box; zero is the mid-line."""
    if not values:
        return ""
    peak = max(max(abs(v) for v in values), 1e-9)
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    mid = SPARK_HEIGHT / 2
    return " ".join(f"{i * step:.1f},{mid - v / peak * (mid - 2):.1f}" for i, v in enumerate(values))


class ObservationListView(TablePageMixin, FilteredPageMixin, MarkedListView):
    model = Observation
    template_name = "observations/observation_list.html"
    filterset_class = ObservationFilter
    table = OBSERVATION_TABLE
    paginator_class = BoundedMarkedPaginator  # hundreds of thousands of rows: "more than 10000"

    def get_queryset(self) -> QuerySet[Observation]:
        return self.filter_page(super().get_queryset().select_related("sensor", "space_object"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = list(context["object_list"])
        user = self.request.user
        withhold_corrections(page, user)
        # The rows name their sensor only to its readers ({% readable %}): learnt in one query.
        reader_for(self.request).note(Sensor, {o.sensor_id for o in page})
        ids = {o.space_object_id for o in page if o.space_object_id}
        ids |= {o.near_stale_set_id for o in page if o.near_stale_set_id}
        visible_objects = SpaceObject.objects.visible_to(user).filter(id__in=ids)
        visible = {row.pk: row for row in visible_objects.only("id", "catalog_number")}

        def stale_of(obs: Observation) -> SpaceObject | None:
            return visible.get(obs.near_stale_set_id) if obs.near_stale_set_id else None

        context["rows"] = [
            (o, o.space_object if o.space_object_id in visible else None, stale_of(o)) for o in page
        ]
        context["sparklines"] = self._sparklines({o.sensor_id for o in page})
        context["missions"] = list(MISSION_BITS)
        context["params"] = self.request.GET
        return context

    def _sparklines(self, sensor_ids: set[int]) -> list[dict[str, Any]]:
        """Each shown sensor's latest residuals, all sensors in one query."""
        user = self.request.user
        sensors = list(Sensor.objects.visible_to(user).filter(pk__in=sensor_ids).order_by("number"))
        hidden_biases = sensors_with_hidden_biases(user, sensor_ids)
        by_sensor: dict[int, list[tuple[Any, int, float]]] = {}
        for sensor_id, ob_time, pk, value in latest_residuals(user, [s.pk for s in sensors], SPARK_POINTS):
            by_sensor.setdefault(sensor_id, []).append((ob_time, pk, value))
        lines = []
        for sensor in sensors:
            values = (
                [] if sensor.pk in hidden_biases else [v for *_, v in sorted(by_sensor.get(sensor.pk, []))]
            )
            lines.append(
                {
                    "sensor": sensor,
                    "points": sparkline(values),
                    "count": len(values),
                    "peak": max((abs(v) for v in values), default=0.0),
                    "mean": sum(values) / len(values) if values else 0.0,
                }
            )
        return lines


class ObservationDetailView(MarkedDetailView):
    model = Observation
    template_name = "observations/observation_detail.html"

    def get_queryset(self) -> QuerySet[Observation]:
        return super().get_queryset().select_related("sensor", "space_object", "batch")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obs = context["object"]
        withhold_corrections([obs], self.request.user)
        seen = SpaceObject.objects.visible_to(self.request.user).filter(pk=obs.space_object_id).first()
        context["space_object"] = seen
        context["batch_visible"] = batches_visible_to(self.request.user).filter(pk=obs.batch_id).exists()
        return context
