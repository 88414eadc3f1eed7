"""Exports of the deal list: /api/deals/export.csv and /api/deals/export.xlsx."""

urlpatterns: list = []
