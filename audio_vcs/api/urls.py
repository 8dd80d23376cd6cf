from rest_framework.routers import DefaultRouter

app_name = "audio_vcs-api"

router = DefaultRouter()

urlpatterns = router.urls
