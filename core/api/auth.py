"""Token authentication for API clients.

Tokens are django-rest-knox tokens: only a SHA-512 digest is stored, the key is shown once,
when it is issued. Clients send ``Authorization: Token <key>``.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from knox.models import get_token_model
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import UserBriefSerializer

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


class TokenIssueView(APIView):
    """Exchange a username and password for a new API token."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={201: IssuedTokenSerializer}, operation_id="auth_token_issue")
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        instance, token = AuthToken.objects.create(user=user)
        data = {"token": token, "token_key": instance.token_key, "expiry": instance.expiry, "user": user}
        return Response(IssuedTokenSerializer(data).data, status=status.HTTP_201_CREATED)


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
