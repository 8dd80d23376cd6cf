"""Token authentication for API clients (``Authorization: Token <key>``); see core.api.auth for issuing."""

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token check without its sweep of the user's other tokens on every request.

    Knox reads all of a user's tokens per request to delete the expired ones; here an expired
    token is refused (and deleted) when it is presented, and the daily ``core.purge_expired_tokens``
    task deletes the rest, so an authenticated request costs one query instead of two.
    """

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
