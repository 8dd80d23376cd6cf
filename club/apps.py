from django.apps import AppConfig


class ClubConfig(AppConfig):
    """The album club: weeks, nominations, votes, ratings, listening history, taste and recommendations."""

    name = "club"
    verbose_name = "Album club"
    default_auto_field = "django.db.models.BigAutoField"
