"""Settings, driven by the environment.

With nothing set: development mode on an embedded SQLite database in ``var/``.
``DATABASE_URL`` switches to PostgreSQL; ``PERFBUDGET_PRODUCTION=1`` turns on the hardened
production mode, which then requires ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``.
"""

import datetime
import ipaddress
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PERFBUDGET_VAR_DIR", BASE_DIR / "var"))
# The embedded database and generated files live here; a fresh checkout has no such folder yet.
(VAR_DIR / "staticfiles").mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_file(path: Path) -> str:
    """The key kept in ``path`` (mode 0600), made the first time: never a key anyone could know."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(64)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


PRODUCTION = env_bool("PERFBUDGET_PRODUCTION")
# Off unless asked for: a forgotten production flag must not show tracebacks and settings to the world.
DEBUG = env_bool("DJANGO_DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("生产模式需要设置至少 50 个字符的 DJANGO_SECRET_KEY。")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("生产模式需要设置 DJANGO_ALLOWED_HOSTS。")
else:
    # Without DJANGO_SECRET_KEY: a key generated once for this installation and kept in var/secret_key (0600).
    SECRET_KEY = env_str("DJANGO_SECRET_KEY") or secret_key_file(VAR_DIR / "secret_key")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "perfbudget.apps.AxesConfig",
    "import_export",
    "simple_history",
    "projects",
    "indicators",
    "selfeval",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "perfbudget.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out login
]

# The proxies whose X-Forwarded-For is believed (addresses or networks, e.g. the compose proxy's 172.30.0.10):
# the client is the rightmost address in it that is not one of them (perfbudget/client_ip.py). Empty: nobody's.
PERFBUDGET_TRUSTED_PROXIES = env_list("PERFBUDGET_TRUSTED_PROXIES")
for _entry in PERFBUDGET_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"PERFBUDGET_TRUSTED_PROXIES 中的“{_entry}”不是有效的地址或网段。") from _exc

# Login throttling (django-axes): after 5 failed logins a username is locked out at that address for 15 minutes.
# Keyed on username and address together, so failures from one address never shut the user out elsewhere;
# the address is the client's as the trusted proxy reports it, not the proxy's own.
# ``UserBackend``: Django's ModelBackend reading the signed-in user by a compiled statement (perfbudget/sessions.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "perfbudget.sessions.UserBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "perfbudget.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Scripts only from our own static files (no inline script or handler anywhere: templates use static/js);
# inline style attributes stay allowed. Redoc starts a web worker from a blob: URL.
PERFBUDGET_CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self' data:", "worker-src 'self' blob:", "object-src 'none'", "base-uri 'self'",
    "form-action 'self'", "frame-ancestors 'none'",
])  # fmt: skip

# A session lasts a working day.
# Statements a page runs on every request are prepared once per PostgreSQL connection (projects/precompiled.py). Set
# PERFBUDGET_PREPARE=0 behind a pooler that shares server connections between clients (pgbouncer, transaction mode).
PERFBUDGET_PREPARE = env_bool("PERFBUDGET_PREPARE", True)
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 9 * 3600)
# Django's database sessions, read by a prepared statement (perfbudget/sessions.py); with Redis: cached_db below.
SESSION_ENGINE = "perfbudget.sessions"

ROOT_URLCONF = "perfbudget.urls"

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
                "perfbudget.context_processors.todo",
            ],
            # ``{% url %}`` with its answers kept per process (perfbudget/kept_urls.py).
            "builtins": ["perfbudget.kept_urls"],
        },
    },
]

# Django's form and widget templates rendered by Jinja2 where Django ships them for it (perfbudget/form_renderer.py).
FORM_RENDERER = "perfbudget.form_renderer.FormRenderer"

WSGI_APPLICATION = "perfbudget.wsgi.application"

# An auditor's 待办 lists the self-evaluations signed in the last this many days (selfeval.selectors.todo_for).
PERFBUDGET_NEW_SIGNED_DAYS = env_int("PERFBUDGET_NEW_SIGNED_DAYS", 14)
# The navigation's 待办 count is cached at most this many seconds (selfeval/todo_count.py); 0: counted on every page.
PERFBUDGET_TODO_COUNT_SECONDS = env_int("PERFBUDGET_TODO_COUNT_SECONDS", 20)
# A form page's sheet is kept this many seconds under the stamp of what it shows (projects/page_cache.py; a change
# makes a new stamp at once, this only bounds the memory); 0: rendered on every request.
PERFBUDGET_SHEET_CACHE_SECONDS = env_int("PERFBUDGET_SHEET_CACHE_SECONDS", 3600)
# A rescore of a year and a refresh of every stored check spread their batches over this many forked workers
# (projects/services/pool.py; PostgreSQL only, outside a transaction); 0: one per core, 1: in the calling process.
PERFBUDGET_RESCORE_PROCESSES = env_int("PERFBUDGET_RESCORE_PROCESSES", 0)

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'perfbudget.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (a worker, a render pool) write to the embedded database: wait for the lock instead
    # of failing, take it when a transaction begins, and let readers read while one writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )

AUTH_USER_MODEL = "projects.User"
# Django's rules with Chinese messages, and ours (projects/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "projects.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "projects.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "projects.passwords.CommonPasswordValidator"},
    {"NAME": "projects.passwords.NumericPasswordValidator"},
    {"NAME": "projects.passwords.KnownPasswordValidator"},
    {"NAME": "projects.passwords.VarietyValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LOCALE_PATHS = [BASE_DIR / "locale"]  # the third-party strings their own catalogues leave in English
LANGUAGES = [("zh-hans", "简体中文")]
# Our own catalogue first: Django 5.2's zh_Hans one misses the new msgid of the password length message.
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
# Generated files (stored PDFs, export ZIPs) go through Django's storage API: a folder every node mounts by
# default; DJANGO_STORAGE_BACKEND (e.g. storages.backends.s3.S3Storage from django-storages) with
# DJANGO_STORAGE_OPTIONS (JSON) puts them in an S3-compatible store instead.
STORAGES = {
    "default": {
        "BACKEND": env_str("DJANGO_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("DJANGO_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The production build (deploy/build_static.sh) keeps only the hashed copies and compresses everything but the
# source maps (read by developer tools only, and half of the bytes): a build of seconds instead of a minute.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_USE_FINDERS = not PRODUCTION  # the demo serves static files straight from static/, DEBUG or not
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# One cap on the rows of a form (all its tables together), enforced alike by its page, the API, the Excel import
# and the admin; past it a message and nothing saved. The number of fields a request may post is computed from it:
# the cap's rows of the widest row anything posts (the admin's 自评指标 inline), plus a form's header, its tables'
# management fields and buttons (tests/test_form_rows.py measures both against the real forms).
MAX_FORM_ROWS = env_int("MAX_FORM_ROWS", 500)
FORM_ROW_FIELDS = 20
FORM_OTHER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FIELDS = MAX_FORM_ROWS * FORM_ROW_FIELDS + FORM_OTHER_FIELDS
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# PDFs: the CJK font families WeasyPrint uses (Debian's fonts-noto-cjk); `manage.py check` fails without one.
PDF_FONT_FAMILIES = ("Noto Serif CJK SC",)  # the one face static/css/pdf.css prints with

# Celery: without a broker, tasks run in-process so that the embedded demo needs no Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

REDIS_URL = env_str("REDIS_URL")
# Without Redis each process keeps its own cache: room for the sheets of the forms its users are reading (Django's
# default is 300 entries, fewer than 32 users' ten forms each).
# "pdfs": the kept PDFs of forms not final yet (reports.services.kept), a few hundred kB each: without Redis a
# process keeps at most 50 of them.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
    "pdfs": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pdfs",
        "OPTIONS": {"MAX_ENTRIES": 50},
    },
}
if REDIS_URL:
    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {"default": redis_cache, "pdfs": {**redis_cache, "KEY_PREFIX": "pdfs"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SERIALIZATION_MODULES = {"json-full": "projects.serialization"}  # backups keep microseconds

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "perfbudget.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "perfbudget.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env_str("API_TOKEN_THROTTLE", "10/min")},
}
# An API token lasts a working day from when it was issued (perfbudget/tokens.py); logging out revokes it.
API_TOKEN_TTL = datetime.timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 9))

SPECTACULAR_SETTINGS = {
    "TITLE": "perfbudget 预算绩效管理 API",
    "DESCRIPTION": "部门、项目、绩效目标申报表、绩效自评表与评分报告。与页面相同的权限范围、校验与签署锁定。",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # In production the schema and its docs are for signed-in users only (PERFBUDGET_PUBLIC_SCHEMA=1 opens them).
    "SERVE_PERMISSIONS": (
        ["rest_framework.permissions.AllowAny"]
        if env_bool("PERFBUDGET_PUBLIC_SCHEMA", default=not PRODUCTION)
        else ["rest_framework.permissions.IsAuthenticated"]
    ),
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DeclarationStatusEnum": "projects.choices.DeclarationStatus",
        "EvaluationStatusEnum": "selfeval.choices.EvaluationStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
