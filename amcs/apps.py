from django.apps import AppConfig


class AmcsConfig(AppConfig):
    """AMCS: tenant-scoped song design: blueprints, personas, sources, styles, lyrics, producer notes, songs, runs."""

    name = "amcs"
    verbose_name = "AMCS"
    default_auto_field = "django.db.models.BigAutoField"
