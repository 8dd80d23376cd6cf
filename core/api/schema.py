"""OpenAPI extensions for drf-spectacular (imported by ``CoreConfig.ready``)."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class TokenScheme(KnoxTokenScheme):
    """The token scheme of :class:`core.api.authentication.TokenAuthentication`, a knox subclass."""

    target_class = "core.api.authentication.TokenAuthentication"
