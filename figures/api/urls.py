from django.urls import path
from rest_framework.routers import SimpleRouter

from figures.api import views

router = SimpleRouter()
router.register("reported-figures", views.ReportedFigureViewSet, basename="reported-figure")
router.register("figure-statements", views.FigureStatementViewSet, basename="figure-statement")

urlpatterns = [
    path("stats/reconciliation/", views.ReconciliationView.as_view(), name="stats-reconciliation"),
    *router.urls,
]
