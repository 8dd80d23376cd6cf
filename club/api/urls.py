from rest_framework.routers import DefaultRouter

app_name = "club-api"

router = DefaultRouter()

urlpatterns = router.urls
