from django.apps import AppConfig


class StorytellerConfig(AppConfig):
    """Everbound: life stories turned into books."""

    name = "storyteller"
    verbose_name = "Storyteller"
    default_auto_field = "django.db.models.BigAutoField"
