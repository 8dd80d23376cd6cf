"""ListenBrainz-compatible endpoints, mounted at ``/1/`` (as ListenBrainz's ``api_base_url`` expects)."""

from django.urls import path

from club.listenbrainz import views

app_name = "listenbrainz"

urlpatterns = [
    path("submit-listens", views.submit_listens, name="submit-listens"),
    path("validate-token", views.validate_token, name="validate-token"),
    path("user/<str:user_name>/listens", views.user_listens, name="user-listens"),
    path("user/<str:user_name>/playing-now", views.playing_now, name="playing-now"),
    path("user/<str:user_name>/listen-count", views.listen_count, name="listen-count"),
    path("stats/user/<str:user_name>/artists", views.user_artists, name="user-artists"),
]
