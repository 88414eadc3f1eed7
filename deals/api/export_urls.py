"""Exports of the deal list: /api/deals/export.csv and /api/deals/export.xlsx."""

from django.urls import path

from deals.api.export import DealCSVExportView, DealXLSXExportView

urlpatterns = [
    path("deals/export.csv", DealCSVExportView.as_view(), name="deal-export-csv"),
    path("deals/export.xlsx", DealXLSXExportView.as_view(), name="deal-export-xlsx"),
]
