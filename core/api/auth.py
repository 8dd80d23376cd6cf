"""Token authentication for API clients.

Tokens are django-rest-knox tokens: only a SHA-512 digest is stored, the key is shown once,
when it is issued. Clients send ``Authorization: Token <key>``.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from knox.models import get_token_model
from knox.settings import knox_settings
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.exceptions import flatten_errors
from core.api.parsers import FormParser, JSONParser
from core.api.serializers import UserBriefSerializer
from core.api.throttling import LOGIN_THROTTLES

AuthToken = get_token_model()


class TokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it later: its first characters, never the key or digest."""

    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry"]
        read_only_fields = fields


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key; shown only now. Send it as 'Authorization: Token <key>'.")
    token_key = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
    user = UserBriefSerializer()


TOKEN_LIMIT_REACHED = "You hold the maximum number of tokens ({limit}); revoke one (DELETE /api/auth/tokens/<key>/)."


class TokenIssueView(APIView):
    """Exchange a username and password for a new API token.

    Throttled per username and per client address (429 with ``Retry-After``); a user holding
    ``REST_KNOX["TOKEN_LIMIT_PER_USER"]`` live tokens gets a 403 until they revoke one.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser, FormParser]  # unauthenticated: no multipart, no file uploads
    throttle_classes = list(LOGIN_THROTTLES)
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={201: IssuedTokenSerializer}, operation_id="auth_token_issue")
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # Answered without raising: an exception would roll the request's transaction back, and with it the
            # throttles' record of this attempt in the database cache, so failed logins would never count.
            return Response(error_body(serializer.errors), status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        token_limit_check(user)
        instance, token = AuthToken.objects.create(user=user)
        data = {"token": token, "token_key": instance.token_key, "expiry": instance.expiry, "user": user}
        return Response(IssuedTokenSerializer(data).data, status=status.HTTP_201_CREATED)


def error_body(detail) -> dict:
    """A validation error in the API's error shape (see core.api.exceptions)."""
    errors = flatten_errors(detail)
    if len(errors) == 1:
        message = f"{errors[0]['field']}: {errors[0]['message']}" if errors[0]["field"] else errors[0]["message"]
    else:
        message = "Invalid input."
    return {"message": message, "errors": errors}


def token_limit_check(user) -> None:
    """Refuse a new token when the user already holds the limit (their row is locked so that two
    concurrent requests cannot both pass the count)."""
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is None:
        return
    type(user).objects.select_for_update().filter(pk=user.pk).first()
    live = AuthToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).count()
    if live >= limit:
        raise PermissionDenied(TOKEN_LIMIT_REACHED.format(limit=limit))


class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The requesting user's own tokens: list them, revoke one by its ``token_key``."""

    queryset = AuthToken.objects.none()
    serializer_class = TokenSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "token_key"
    filter_backends = []

    def get_queryset(self):
        return AuthToken.objects.filter(user=self.request.user).exclude(expiry__lt=timezone.now()).order_by("-created")

    def destroy(self, request, *args, **kwargs):
        deleted, _ = self.get_queryset().filter(token_key=kwargs["token_key"]).delete()
        if not deleted:
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The authenticated user."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserBriefSerializer, operation_id="auth_me")
    def get(self, request):
        return Response(UserBriefSerializer(request.user).data)
