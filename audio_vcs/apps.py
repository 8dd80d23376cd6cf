from django.apps import AppConfig


class AudioVcsConfig(AppConfig):
    """Audio version control and composition: repositories, commits, stems, projects and compositions."""

    name = "audio_vcs"
    verbose_name = "Audio version control"
    default_auto_field = "django.db.models.BigAutoField"
