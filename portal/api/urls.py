"""The API's one router; the only module of the core that lists every app's routes."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from agreements.api.routes import ROUTES as AGREEMENT_ROUTES
from catalog.api.routes import ROUTES as CATALOG_ROUTES
from catalog.observations.api.routes import ROUTES as OBSERVATION_ROUTES
from portal.api import views
from tasking.api.routes import ROUTES as TASKING_ROUTES

# The one router of the API: each app lists its routes; this is the only place that knows them all.
ROUTES = [
    ("nations", views.NationViewSet),
    ("spocs", views.SpOCViewSet),
    ("notices", views.NoticeViewSet),
    ("audit", views.AuditEventViewSet),
    ("task-runs", views.TaskRunViewSet),
    *AGREEMENT_ROUTES,
    *CATALOG_ROUTES,
    *OBSERVATION_ROUTES,
    *TASKING_ROUTES,
]

router = DefaultRouter()
for prefix, viewset in ROUTES:
    router.register(prefix, viewset)

app_name = "api"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
