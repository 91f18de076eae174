from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.views import pages

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notices/", pages.NoticeListView.as_view(), name="notice-list"),
    path("notices/new/", pages.NoticeCreateView.as_view(), name="notice-create"),
    path("notices/<int:pk>/", pages.NoticeDetailView.as_view(), name="notice-detail"),
    path("audit/", pages.AuditLogView.as_view(), name="audit-log"),
    path(
        "markings/<str:label>/<int:pk>/downgrade/",
        pages.MarkingDowngradeView.as_view(),
        name="marking-downgrade",
    ),
    path("task-runs/", pages.TaskRunListView.as_view(), name="taskrun-list"),
    path("agreements/", include("agreements.urls")),
    path("catalog/", include("catalog.urls")),
    path("observations/", include("catalog.urls_observations")),
    path("tasking/", include("tasking.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("portal.api.urls", namespace="api")),
]
