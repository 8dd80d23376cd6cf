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
    path("stats/user/<str:user_name>/releases", views.user_releases, name="user-releases"),
    path("stats/user/<str:user_name>/recordings", views.user_recordings, name="user-recordings"),
    path(
        "stats/user/<str:user_name>/listening-activity", views.user_listening_activity, name="user-listening-activity"
    ),
    path("stats/user/<str:user_name>/daily-activity", views.user_daily_activity, name="user-daily-activity"),
]
