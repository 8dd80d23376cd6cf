from rest_framework.routers import DefaultRouter

app_name = "catalog-api"

router = DefaultRouter()

urlpatterns = router.urls
