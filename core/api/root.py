"""``/api/``: links to each app's API root, the auth endpoints and the docs."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class APIRootView(APIView):
    """Entry point of the REST API."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        from config.urls import API_APPS

        links = {app: reverse(f"{app}-api:api-root", request=request) for app in API_APPS}
        links["auth"] = reverse("auth-api:token-issue", request=request)
        links["schema"] = reverse("schema", request=request)
        links["docs"] = reverse("docs", request=request)
        return Response(links)


urlpatterns = [path("", APIRootView.as_view(), name="api-root")]
