from rest_framework.routers import SimpleRouter

from expo.api import views

router = SimpleRouter()
router.register("expos", views.ExpoViewSet, basename="expo")
router.register("editions", views.EditionViewSet, basename="edition")
router.register("venues", views.VenueViewSet, basename="venue")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = router.urls
