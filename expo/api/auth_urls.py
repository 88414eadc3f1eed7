from django.urls import path
from rest_framework.routers import SimpleRouter

from expo.api.sessions import LoginView, LogoutView
from expo.api.tokens import TokenViewSet

router = SimpleRouter()
router.register("auth/tokens", TokenViewSet, basename="token")

# Plain Django views: not part of the JSON API, so not in openapi.yaml.
urlpatterns = [
    path("auth/login/", LoginView.as_view(), name="api-login"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    *router.urls,
]
