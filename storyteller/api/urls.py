from django.urls import path
from rest_framework.routers import DefaultRouter

from storyteller.api.books import StoryBookExportViewSet, StoryPreviewView
from storyteller.api.views import VIEWSETS, url_prefix

app_name = "storyteller-api"

router = DefaultRouter()
for model, viewset in VIEWSETS.items():
    router.register(url_prefix(model), viewset, basename=model._meta.model_name)

# Book exports live under their story: /stories/{story}/exports/...
story_exports = [
    path(
        "stories/<uuid:story_pk>/exports/",
        StoryBookExportViewSet.as_view({"get": "list", "post": "create"}),
        name="story-export-list",
    ),
    path(
        "stories/<uuid:story_pk>/exports/<uuid:pk>/",
        StoryBookExportViewSet.as_view({"get": "retrieve"}),
        name="story-export-detail",
    ),
    path(
        "stories/<uuid:story_pk>/exports/<uuid:pk>/download/",
        StoryBookExportViewSet.as_view({"get": "download"}),
        name="story-export-download",
    ),
    path(
        "stories/<uuid:story_pk>/exports/<uuid:pk>/deliveries/",
        StoryBookExportViewSet.as_view({"post": "deliveries"}),
        name="story-export-deliveries",
    ),
    path("stories/<uuid:story_pk>/preview/", StoryPreviewView.as_view(), name="story-preview"),
]

urlpatterns = router.urls + story_exports
