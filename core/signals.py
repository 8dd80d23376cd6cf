"""Side effects of saving users: a changed password or a deactivated account revokes the user's API tokens.

Sessions need nothing here: Django ties a session to the password hash (``get_session_auth_hash``), so a
new password ends every other session, and an inactive user's session no longer authenticates.
"""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="core.revoke_tokens_on_credentials_change")
def revoke_tokens_on_credentials_change(sender, instance, created, **kwargs) -> None:
    if created or not instance.credentials_revoked_on_save:
        return
    from knox.models import get_token_model

    get_token_model().objects.filter(user=instance).delete()
    instance._password_changed = False
    instance._loaded_is_active = instance.is_active
