"""Encrypted provider tokens (django-fernet-encrypted-fields, with the club's key rules)."""

from __future__ import annotations

import logging

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from encrypted_fields.fields import EncryptedTextField

logger = logging.getLogger(__name__)


class EncryptedTokenField(EncryptedTextField):
    """A Fernet-encrypted text column for provider tokens.

    Keys derive from ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``) and each salt in ``CLUB_TOKEN_KEYS``
    (setting ``SALT_KEY``), newest first: values are encrypted with the first key and decrypted with any.
    Unlike the library's field, a value no key decrypts reads as ``None`` (never as ciphertext), and a
    missing key configuration is an error instead of a silent fallback.
    """

    @property
    def keys(self) -> list[bytes]:
        if not getattr(settings, "SALT_KEY", None):
            raise ImproperlyConfigured("CLUB_TOKEN_KEYS must be set to read or write provider tokens.")
        return EncryptedTextField.keys.func(self)

    @property
    def f(self):
        cache = self.__dict__.setdefault("_fernet_cache", {})
        marker = (settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", [])), tuple(settings.SALT_KEY))
        if marker not in cache:
            cache.clear()
            cache[marker] = EncryptedTextField.f.func(self)
        return cache[marker]

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return self.f.decrypt(value.encode("utf-8")).decode("utf-8")
        except InvalidToken:
            logger.warning("A %s value could not be decrypted with the configured keys.", self.name)
            return None

    def to_python(self, value):
        # Values in Python are plaintext; the library's to_python also decrypts, which is only needed on reads.
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "club.fields.EncryptedTokenField", args, kwargs
