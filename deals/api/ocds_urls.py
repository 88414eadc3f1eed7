"""Deals as OCDS releases: /api/deals/{id}/ocds/ and /api/ocds/releases/."""

from django.urls import path, re_path

from deals.api.ocds import DealReleaseView, ReleasePackageView

urlpatterns = [
    # Any id segment the deal routes take, so that a malformed id is a 404 in the API's error shape.
    re_path(r"^deals/(?P<pk>[^/.]+)/ocds/$", DealReleaseView.as_view(), name="deal-ocds"),
    path("ocds/releases/", ReleasePackageView.as_view(), name="ocds-releases"),
]
