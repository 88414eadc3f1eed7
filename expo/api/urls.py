from django.urls import path
from rest_framework.routers import SimpleRouter

from expo.api import views

router = SimpleRouter()
router.register("expos", views.ExpoViewSet, basename="expo")
router.register("editions", views.EditionViewSet, basename="edition")
router.register("venues", views.VenueViewSet, basename="venue")
router.register("sources", views.SourceViewSet, basename="source")
router.register("reported-figures", views.ReportedFigureViewSet, basename="reported-figure")

urlpatterns = [
    path("deletions/", views.DeletionViewSet.as_view({"get": "list"}), name="deletion-list"),
    *router.urls,
]
