"""Statistics over deals: /api/stats/."""

from django.urls import path

from deals.api import stats

urlpatterns = [
    path("stats/deals/", stats.DealStatisticsView.as_view(), name="stats-deals"),
    path("stats/reconciliation/", stats.ReconciliationView.as_view(), name="stats-reconciliation"),
]
