from rest_framework.routers import DefaultRouter

app_name = "amcs-api"

router = DefaultRouter()

urlpatterns = router.urls
