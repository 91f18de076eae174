"""URLs of the agreement and sensor pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from agreements import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.AgreementListView.as_view(), name="agreement-list"),
    path("new/", views.AgreementEditView.as_view(), name="agreement-create"),
    path("<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("<int:pk>/edit/", views.AgreementEditView.as_view(), name="agreement-edit"),
    path("<int:pk>/transition/", views.AgreementTransitionView.as_view(), name="agreement-transition"),
    path("sensors/", views.SensorListView.as_view(), name="sensor-list"),
    path("sensors/<int:pk>/", views.SensorDetailView.as_view(), name="sensor-detail"),
    path("sensors/<int:pk>/outages/", views.SensorOutageCreateView.as_view(), name="sensor-outage-create"),
    path("sensors/<int:pk>/biases/", views.SensorBiasCreateView.as_view(), name="sensor-bias-create"),
    path("sensors/<int:pk>/statement/", views.SensorStatementView.as_view(), name="sensor-statement"),
    path("evaluations/", views.EvaluationBoardView.as_view(), name="evaluation-board"),
    path("evaluations/start/", views.EvaluationStartView.as_view(), name="evaluation-start"),
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path("evaluations/<int:pk>/decide/", views.EvaluationDecideView.as_view(), name="evaluation-decide"),
    path("tiers/", views.TierListView.as_view(), name="tier-list"),
    path("tiers/<int:level>/edit/", views.TierEditView.as_view(), name="tier-edit"),
]
