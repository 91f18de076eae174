"""URLs of the catalog pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from catalog import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.CatalogSearchView.as_view(), name="spaceobject-list"),
    path("objects/<int:catalog_number>/", views.SpaceObjectDetailView.as_view(), name="spaceobject-detail"),
    path("sync-runs/", views.SyncRunListView.as_view(), name="syncrun-list"),
    path("mapping-conflicts/", views.MappingConflictListView.as_view(), name="mapping-conflicts"),
]
