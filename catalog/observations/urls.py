"""Observation pages; the project includes this module at /observations/."""

from __future__ import annotations

from django.urls import path

from catalog.observations import views

urlpatterns = [
    path("", views.ObservationListView.as_view(), name="observation-list"),
    path("<int:pk>/", views.ObservationDetailView.as_view(), name="observation-detail"),
    path("upload/", views.UploadView.as_view(), name="observation-upload"),
    path("batches/", views.BatchListView.as_view(), name="observation-batch-list"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="observation-batch-detail"),
]
