"""Statistics over deals: /api/stats/deals/ and the pipeline funnel, /api/stats/funnel/."""

from django.urls import path

from deals.api import funnel, stats

urlpatterns = [
    path("stats/deals/", stats.DealStatisticsView.as_view(), name="stats-deals"),
    path("stats/funnel/", funnel.FunnelView.as_view(), name="stats-funnel"),
]
