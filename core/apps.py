from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Users, tenants, the abstract bases and the API and admin conventions every app uses."""

    name = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import checks, deploy_checks, signals  # noqa: F401  (system and deployment checks; token revocation)
        from core.api import schema  # noqa: F401  (registers the OpenAPI extension)
