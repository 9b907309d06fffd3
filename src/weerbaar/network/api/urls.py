from rest_framework.routers import SimpleRouter

from weerbaar.network.api import views

app_name = "api"

router = SimpleRouter()
router.register("gemeenten", views.MunicipalityViewSet, basename="municipality")
router.register("gebieden", views.AreaViewSet, basename="area")
router.register("vestigingen", views.BusinessViewSet, basename="business")

urlpatterns = router.urls
