"""The site's URLs, and the raw-limit deal list at ``/raw/deals/`` (see ``benchmarks.raw``)."""

from django.urls import path

from benchmarks import raw
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("raw/deals/", raw.deal_list, name="raw-deal-list"),
    *site_urlpatterns,
]
