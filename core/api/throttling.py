"""Login throttling: ``POST /api/auth/token/`` and the admin's login form, per username and per client address.

DRF's ``SimpleRateThrottle`` on the default cache, which is the database (``django.core.cache.backends.db``;
no Redis needed). Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login_username"]`` and
``["login_address"]`` (``LOGIN_THROTTLE_USERNAME_RATE`` / ``LOGIN_THROTTLE_ADDRESS_RATE`` in the
environment). A throttled API request is a 429 in the error shape with ``Retry-After``; a throttled admin
login is a 429 page with ``Retry-After``.
"""

from __future__ import annotations

import math

from django.http import HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

THROTTLED_MESSAGE = "Too many login attempts. Try again in {seconds} seconds."


def _username(request) -> str:
    data = getattr(request, "data", None)
    if data is None or not hasattr(data, "get"):
        data = request.POST
    value = data.get("username") if hasattr(data, "get") else None
    return value.strip().lower()[:150] if isinstance(value, str) else ""


class LoginThrottle(SimpleRateThrottle):
    """Reads its rate from the settings when created (DRF binds them once, at import)."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class LoginAddressThrottle(LoginThrottle):
    """Login attempts per client address (``REMOTE_ADDR``, or ``X-Forwarded-For`` behind ``NUM_PROXIES``)."""

    scope = "login_address"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(LoginThrottle):
    """Login attempts per username (case-insensitive), from any address."""

    scope = "login_username"

    def get_cache_key(self, request, view) -> str | None:
        username = _username(request)
        if not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": username.encode().hex()}


LOGIN_THROTTLES = (LoginAddressThrottle, LoginUsernameThrottle)


def login_throttle_wait(request) -> float | None:
    """Record a login attempt; the seconds to wait if it is over a limit, else ``None``."""
    waits = []
    for throttle_class in LOGIN_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None


def throttled_login_response(wait: float) -> HttpResponse:
    seconds = math.ceil(wait)
    response = HttpResponse(THROTTLED_MESSAGE.format(seconds=seconds), status=429, content_type="text/plain")
    response["Retry-After"] = str(seconds)
    return response
