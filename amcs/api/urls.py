from rest_framework.routers import DefaultRouter

from amcs.api import views

app_name = "amcs-api"

router = DefaultRouter()
router.register("blueprints", views.BlueprintViewSet, basename="blueprint")
router.register("personas", views.PersonaViewSet, basename="persona")
router.register("sources", views.SourceViewSet, basename="source")
router.register("styles", views.StyleViewSet, basename="style")
router.register("songs", views.SongViewSet, basename="song")
router.register("lyrics", views.LyricsViewSet, basename="lyrics")
router.register("producer-notes", views.ProducerNotesViewSet, basename="producernotes")
router.register("runs", views.WorkflowRunViewSet, basename="workflowrun")
router.register("sds", views.SdsViewSet, basename="sds")

urlpatterns = router.urls
