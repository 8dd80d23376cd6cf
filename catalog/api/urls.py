from rest_framework.routers import DefaultRouter

from catalog.api import views

app_name = "catalog-api"

router = DefaultRouter()
router.register("genres", views.GenreViewSet)
router.register("artists", views.ArtistViewSet)
router.register("albums", views.AlbumViewSet)
router.register("tracks", views.TrackViewSet)
router.register("track-features", views.TrackFeaturesViewSet)
router.register("samples", views.SampleViewSet)
router.register("presets", views.PresetViewSet)

urlpatterns = router.urls
