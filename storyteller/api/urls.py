from rest_framework.routers import DefaultRouter

app_name = "storyteller-api"

router = DefaultRouter()

urlpatterns = router.urls
