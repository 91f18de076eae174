"""URLs of the catalog pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from catalog import views
from catalog.calibration import views as calibration_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.CatalogSearchView.as_view(), name="spaceobject-list"),
    path("objects/<int:catalog_number>/", views.SpaceObjectDetailView.as_view(), name="spaceobject-detail"),
    path("sync-runs/", views.SyncRunListView.as_view(), name="syncrun-list"),
    path("mapping-conflicts/", views.MappingConflictListView.as_view(), name="mapping-conflicts"),
    path(
        "calibration/sensors/<int:pk>/",
        calibration_views.SensorCalibrationView.as_view(),
        name="sensor-calibration",
    ),
    path(
        "calibration/runs/<int:pk>/accept/",
        calibration_views.AcceptRunView.as_view(),
        name="calibration-accept",
    ),
]
