from rest_framework.routers import DefaultRouter

from audio_vcs.api import views

app_name = "audio_vcs-api"

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("collaborators", views.CollaboratorViewSet, basename="collaborator")
router.register("stars", views.StarViewSet, basename="star")
router.register("commits", views.CommitViewSet, basename="commit")
router.register("stems", views.StemViewSet, basename="stem")
router.register("blobs", views.BlobViewSet, basename="blob")
router.register("blobs", views.BlobByHashViewSet, basename="blob-hash")
router.register("branches", views.BranchViewSet, basename="branch")
router.register("tags", views.TagViewSet, basename="tag")
router.register("compositions", views.CompositionViewSet, basename="composition")
router.register("arrangements", views.ArrangementViewSet, basename="arrangement")
router.register("tracks", views.TrackViewSet, basename="track")
router.register("lyrics", views.CompositionLyricsViewSet, basename="compositionlyrics")
router.register("sessions", views.CompositionSessionViewSet, basename="compositionsession")
router.register("export-jobs", views.ExportJobViewSet, basename="exportjob")
router.register("approvals", views.ApprovalViewSet, basename="approval")
router.register("comments", views.CommentViewSet, basename="comment")

urlpatterns = router.urls
