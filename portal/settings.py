"""Settings, read from the environment.

With nothing set the portal runs on SQLite with Celery tasks executed in-process (the embedded
default). DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis with real workers.
Production: DEBUG=0, SECRET_KEY, ALLOWED_HOSTS (comma separated), and the site behind HTTPS.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")

_DEV_SECRET_KEY = "development-only-key-never-use-in-production-6b1d2f0e8c7a4e39"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_celery_beat",
    "portal",
    "agreements",
    "catalog",
    "catalog.observations",
    "tasking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.AccessChangeMiddleware",
    "portal.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PrivateResponseMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.AuditContextMiddleware",
    "portal.middleware.ClassificationBannerMiddleware",
    # Last, so that it sees the outcome of authentication for every request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
            # Times and tables read the same on every page without a load tag.
            "builtins": [
                "portal.templatetags.times",
                "portal.templatetags.tables",
                "portal.templatetags.audit_links",
            ],
        },
    },
]

# Persistent connections, checked before each request reuses one (a database restart costs no
# 500s). Under `make serve` each gunicorn worker thread holds at most one connection, so
# WEB_WORKERS x WEB_THREADS (+ Celery worker processes) must stay below PostgreSQL's
# max_connections (100 by default): 3 x 4 = 12 here.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "300"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # WAL lets the site read while an import writes; the timeout waits out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Proxies (addresses or networks) whose X-Forwarded-For is believed: the client address of the
# audit trail and of the sign-in lockout. Empty: the connection's own address, header ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")

# Repeated failed logins lock the username from that address for an hour: per username AND
# client address, so nobody can lock out someone else's account from another address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.network.client_address"

# One-time passwords (TOTP, RFC 6238) for agreement admins, security officers and the admin
# site; the secrets stay out of the admin.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Coalition SDA Portal")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# guardian: no anonymous user row; object permissions only where granted explicitly.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# ISO first for every date and time widget (see portal/formats/en_gb/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a refused client is told to authenticate (401, WWW-Authenticate).
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "portal.api.renderers.MarkedBrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filters.MarkingFilterBackend",
        "portal.filters.PortalFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.errors.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# Bodies read whole (a JSON bulk delivery, an element-set post): sized for 100,000 UDL records
# a request (about 300 bytes each). Uploaded files go to disk past FILE_UPLOAD_MAX_MEMORY_SIZE.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_REQUEST_BYTES", str(64 * 1024 * 1024))
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", str(512 * 1024 * 1024))
SPECTACULAR_SETTINGS = {
    "TITLE": "Coalition SDA Portal API",
    "DESCRIPTION": "Agreements, sensors, tasking, observations and the catalog, each record "
    "filtered by the caller's clearance and nationality.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from the installed package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"NationCodeEnum": "portal.models.accounts.NATION_CHOICES"},
}

# Celery: without a broker every task runs in-process so that the embedded default needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
# Results are kept only where a task asks (the chunks of a split retasking run, joined by a
# chord), in the broker's Redis; nothing else waits on a result.
CELERY_RESULT_BACKEND = (
    os.environ.get(
        "CELERY_RESULT_BACKEND", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else ""
    )
    or None
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = envint("CELERY_RESULT_EXPIRES_S", "3600")
# A retasking run of more targets than this predicts its access windows in chunks of this
# many targets, one Celery task each (tasking/services/retask_split.py).
RETASK_CHUNK_TARGETS = envint("RETASK_CHUNK_TARGETS", "1000")
CELERY_TIMEZONE = "UTC"
# Lost work, chosen together (see portal/task_runs.py and docs/operations.md): a running task
# beats every TASK_RUN_HEARTBEAT_S; silent past TASK_RUN_LEASE_S its run is taken over. A task
# is stopped by its time limits well before the visibility timeout hands its message to another
# worker; a worker that dies outright has its message back after the visibility timeout, and
# its run re-queued by the recovery sweep once the lease has passed, whichever comes first.
TASK_RUN_HEARTBEAT_S = envint("TASK_RUN_HEARTBEAT_S", "30")
TASK_RUN_LEASE_S = envint("TASK_RUN_LEASE_S", "300")
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT_S", "1500")
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT_S", "1800")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT_S", "2700"),
    "socket_connect_timeout": 3,
}
# A web request that queues work never waits long on a broker that is down: the work stays
# pending in the database and a periodic sweep queues it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Work older than this and still pending (a batch never associated, an ingest whose process
# died) is queued again by the sweep; an interrupted ingest is tried at most this many times.
PENDING_WORK_GRACE_S = envint("PENDING_WORK_GRACE_S", "120")
MAX_INGEST_ATTEMPTS = envint("MAX_INGEST_ATTEMPTS", "3")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Schedules live in the database (editable in the admin); beat reads them from there.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The periodic jobs every installation needs, created in the database after `migrate` unless
# they exist already (an admin's change to an interval is kept): name -> (task, seconds).
PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "expire overdue tasking requests": ("tasking.expire_overdue", 60),
    "settle tasking fulfilment": ("tasking.settle_fulfilment", 300),
    "pull due catalog sync sources": ("catalog.sync_due_sources", 60),
    "worker heartbeat": ("portal.heartbeat", 300),
    "recover lost task runs": ("portal.recover_runs", 60),
    "queue pending observation work": ("catalog.requeue_pending", 120),
    "apply due access changes": ("portal.apply_access_changes", 60),
    "expire lapsed agreements": ("agreements.expire_agreements", 3600),
    "retask unmet requests to the SSN": ("tasking.retask", 900),
    "calibrate sensors in evaluation": ("catalog.calibrate_evaluations", 3600),
}

if CELERY_BROKER_URL.startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("CACHE_URL", CELERY_BROKER_URL),
        }
    }

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sda-portal@localhost")

if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(12 * 3600))  # one watch
X_FRAME_OPTIONS = "DENY"

# Scripts only from the site's own static files (no inline script, no CDN). Inline style
# attributes remain allowed: they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The watch overview's panels, in order; each takes the user and returns a panel or None.
# Counts shown in the navigation on every page (name -> function of the user).
NAV_COUNTS = {"notifications": "tasking.dashboard.unread_notifications"}

DASHBOARD_PANELS = [
    "portal.dashboard.security_panel",
    "tasking.dashboard.tasking_panel",
    "catalog.observations.dashboard.observations_panel",
    "catalog.dashboard.catalog_panel",
    "agreements.dashboard.partnership_panel",
]

# Each app adds its demo records; seed_demo runs these in order.
SEED_DEMO_STEPS = [
    "portal.seed.seed_core",
    "agreements.seed.seed",
    "catalog.seed.seed",
    "catalog.observations.seed.seed",
    "tasking.seed.seed",
]
