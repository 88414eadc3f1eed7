"""Statistics over deals: /api/stats/."""

urlpatterns: list = []
