from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Users, tenants, the abstract bases and the API and admin conventions every app uses."""

    name = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core import checks, deploy_checks, signals  # noqa: F401  (system and deployment checks; token revocation)
        from core.api import schema  # noqa: F401  (registers the OpenAPI extension)
        from core.field_rules import autodiscover, ensure_on_behalf_permissions

        autodiscover()  # every app's field_rules (JSON schemas, user fields, files), checked at start-up
        post_migrate.connect(ensure_on_behalf_permissions, sender=self)  # "enter ... for others" permissions
