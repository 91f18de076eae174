"""The site's URL wiring: each app's pages and the API, under their prefixes."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.views import pages, security, signin, tokens

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", signin.SecondFactorView.as_view(), name="second-factor"),
    path("tokens/", tokens.ApiTokenView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/revoke/", tokens.RevokeApiTokenView.as_view(), name="api-token-revoke"),
    path("security/users/", security.UserListView.as_view(), name="security-users"),
    path("security/users/new/", security.UserCreateView.as_view(), name="security-user-create"),
    path("security/users/<int:pk>/", security.UserDetailView.as_view(), name="security-user"),
    path("security/approvals/", security.ApprovalListView.as_view(), name="security-approvals"),
    path(
        "security/changes/<int:pk>/approve/",
        security.DecisionView.as_view(approve=True),
        name="security-approve",
    ),
    path(
        "security/changes/<int:pk>/refuse/",
        security.DecisionView.as_view(approve=False),
        name="security-refuse",
    ),
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
    path("observations/", include("catalog.observations.urls")),
    path("tasking/", include("tasking.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("portal.api.urls", namespace="api")),
]
