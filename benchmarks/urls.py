"""The site's URLs, and the raw-limit deal lists at ``/raw/deals/`` and ``/raw/deals/by-keys/``
(see ``benchmarks.raw``)."""

from django.urls import path

from benchmarks import raw
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("raw/deals/", raw.deal_list, name="raw-deal-list"),
    path("raw/deals/by-keys/", raw.deal_list_by_keys, name="raw-deal-list-by-keys"),
    *site_urlpatterns,
]
