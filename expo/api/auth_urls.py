from rest_framework.routers import SimpleRouter

from expo.api.tokens import TokenViewSet

router = SimpleRouter()
router.register("auth/tokens", TokenViewSet, basename="token")

urlpatterns = router.urls
