from rest_framework.routers import SimpleRouter

from delegations.api import views

router = SimpleRouter()
router.register("delegations", views.DelegationViewSet, basename="delegation")
router.register("participations", views.ParticipationViewSet, basename="participation")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("settlements", views.SettlementViewSet, basename="settlement")
router.register("activities", views.PromotionalActivityViewSet, basename="activity")

urlpatterns = router.urls
