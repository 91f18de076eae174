"""URLs of the tasking pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tasking import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.RequestListView.as_view(), name="request-list"),
    path("inbox/", views.InboxView.as_view(), name="request-inbox"),
    path("new/", views.RequestCreateView.as_view(), name="request-create"),
    path("new/catalog/", views.CatalogPickView.as_view(), name="request-catalog-pick"),
    path("new/passes/", views.PassPreviewView.as_view(), name="request-pass-preview"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request-detail"),
    path("requests/<int:pk>/messages/", views.MessageCreateView.as_view(), name="request-message"),
    path("requests/<int:pk>/do/<str:action>/", views.RequestActView.as_view(), name="request-act"),
    path("operations/", views.OperationListView.as_view(), name="operation-list"),
    path("operations/<slug:code>/", views.OperationDetailView.as_view(), name="operation-detail"),
    path("retasking/timeline/", views.SsnTimelineView.as_view(), name="ssn-timeline"),
    path("retasking/gaps/", views.GapReportView.as_view(), name="gap-report"),
    path("retasking/whatif/", views.CoverageWhatIfView.as_view(), name="coverage-whatif"),
    path("metrics/", views.MetricsView.as_view(), name="tasking-metrics"),
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
]
