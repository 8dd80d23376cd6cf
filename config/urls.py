from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.urls import auth_urlpatterns
from core.views import admin_login, healthz

admin.site.site_header = "Music and story platform"
admin.site.site_title = "Platform admin"
admin.site.index_title = "Administration"

handler500 = "core.views.server_error"  # JSON under /api/ and /1/ (core.middleware does the other statuses)

API_APPS = ["core", "catalog", "amcs", "audio_vcs", "club", "storyteller"]

urlpatterns = [
    path("", RedirectView.as_view(url="/api/", permanent=False)),
    path("admin/login/", admin_login, name="admin-login"),  # throttled, then the admin's own login view
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include("core.api.root")),
    path("api/auth/", include((auth_urlpatterns, "auth-api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    *[path(f"api/{app.replace('_', '-')}/", include(f"{app}.api.urls")) for app in API_APPS],
    path("1/", include("club.listenbrainz.urls")),  # club: ListenBrainz-compatible API for scrobblers
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
