"""Statistics over deals: /api/stats/deals/."""

from django.urls import path

from deals.api import stats

urlpatterns = [
    path("stats/deals/", stats.DealStatisticsView.as_view(), name="stats-deals"),
]
