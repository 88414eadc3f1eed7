from rest_framework.routers import SimpleRouter

from deals.api import views

router = SimpleRouter()
router.register("deals", views.DealViewSet, basename="deal")
router.register("markets", views.MarketViewSet, basename="market")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("exchange-rates", views.ExchangeRateViewSet, basename="exchange-rate")

urlpatterns = router.urls
