"""The API's own routes: tokens, the login page, the deletion feed and the quality report."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from framework.api.quality import QualityReportView
from framework.api.sessions import LoginView, LogoutView
from framework.api.sync import DeletionViewSet
from framework.api.tokens import TokenViewSet

router = SimpleRouter()
router.register("auth/tokens", TokenViewSet, basename="token")

urlpatterns = [
    # Plain Django views: not part of the JSON API, so not in openapi.yaml.
    path("auth/login/", LoginView.as_view(), name="api-login"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("deletions/", DeletionViewSet.as_view({"get": "list"}), name="deletion-list"),
    path("quality/", QualityReportView.as_view(), name="quality-list"),
    *router.urls,
]
