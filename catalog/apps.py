from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The shared music catalog: artists, albums, tracks, track features, samples and presets."""

    name = "catalog"
    verbose_name = "Catalog"
    default_auto_field = "django.db.models.BigAutoField"
