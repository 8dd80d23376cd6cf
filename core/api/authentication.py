"""Token authentication for API clients (``Authorization: Token <key>``); see core.api.auth for issuing."""

import binascii
import functools
from hmac import compare_digest

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from core.replicas import pin_if_recent_write


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token check without its sweep of the user's other tokens on every request.

    Knox reads all of a user's tokens per request to delete the expired ones; here an expired
    token is refused when it is presented and left to the daily ``core.purge_expired_tokens`` task,
    so an authenticated request costs one query instead of two and a read never writes.

    That query is written once (:func:`token_query`) instead of built by the ORM on every request (building and
    compiling it cost more than running it); what it finds is checked as knox checks it, on every request:
    nothing is cached, so a token revoked by a logout, a password change or a deactivation fails at once on
    every worker.
    """

    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in candidate_tokens(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def authenticate(self, request):
        """With read replicas, a user who wrote a moment ago reads from the primary (core.replicas)."""
        result = super().authenticate(request)
        if result is not None:
            pin_if_recent_write(result[0])
        return result

    def _cleanup_token(self, auth_token) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


@functools.cache
def token_query() -> tuple[str, list, list]:
    """The SQL that reads the tokens of a key with their users, and the token's and the user's fields in its order."""
    token_model = get_token_model()
    user_model = token_model._meta.get_field("user").related_model
    token_fields, user_fields = list(token_model._meta.concrete_fields), list(user_model._meta.concrete_fields)
    token_table, user_table = token_model._meta.db_table, user_model._meta.db_table
    columns = [f't."{field.column}"' for field in token_fields] + [f'u."{field.column}"' for field in user_fields]
    sql = (
        f'SELECT {", ".join(columns)} FROM "{token_table}" t JOIN "{user_table}" u'
        f' ON u."{user_model._meta.pk.column}" = t."{token_model._meta.get_field("user").column}"'
        f' WHERE t."{token_model._meta.get_field("token_key").column}" = %s'
    )
    return sql, token_fields, user_fields


def _instance(model, fields, values, db):
    values = [
        field.from_db_value(value, None, connections[db]) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(db, [field.attname for field in fields], values)


def candidate_tokens(token_key: str) -> list:
    """The tokens stored under ``token_key`` (knox's lookup, ``select_related("user")``), read by one query."""
    sql, token_fields, user_fields = token_query()
    token_model = get_token_model()
    db = router.db_for_read(token_model)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [token_key])
        rows = cursor.fetchall()
    tokens = []
    for row in rows:
        auth_token = _instance(token_model, token_fields, row[: len(token_fields)], db)
        user = _instance(token_model._meta.get_field("user").related_model, user_fields, row[len(token_fields) :], db)
        token_model._meta.get_field("user").set_cached_value(auth_token, user)
        tokens.append(auth_token)
    return tokens
