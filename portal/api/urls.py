from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from portal.api import views

# The one router of the API: each app lists its routes; this is the only place that knows them all.
ROUTES = [
    ("nations", views.NationViewSet),
    ("spocs", views.SpOCViewSet),
    ("notices", views.NoticeViewSet),
    ("audit", views.AuditEventViewSet),
    ("task-runs", views.TaskRunViewSet),
]

router = DefaultRouter()
for prefix, viewset in ROUTES:
    router.register(prefix, viewset)

app_name = "api"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
