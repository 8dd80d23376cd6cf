from django.urls import path
from rest_framework.routers import DefaultRouter

from core.api import auth, views

app_name = "core-api"

router = DefaultRouter()
router.register("users", views.UserViewSet)
router.register("tenants", views.TenantViewSet)
router.register("memberships", views.MembershipViewSet)

urlpatterns = router.urls

auth_urlpatterns = [
    path("token/", auth.TokenIssueView.as_view(), name="token-issue"),
    path("me/", auth.MeView.as_view(), name="me"),
]
auth_router = DefaultRouter()
auth_router.register("tokens", auth.TokenViewSet, basename="token")
auth_urlpatterns += auth_router.urls
