"""One settings module, configured from the environment.

Every knob is an ``INHOUSE_*`` variable. The defaults give a working demo on one
machine (SQLite under ``./var``); ``INHOUSE_PROFILE=production`` switches on the
hardened profile, which refuses the demo secret key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("INHOUSE_DATA_DIR", Path.cwd() / "var")).resolve()

# Demo-only value: the production profile refuses to start with it.
DEMO_SECRET_KEY = "demo-insecure-secret-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PROFILE = os.environ.get("INHOUSE_PROFILE", "demo")
if PROFILE not in {"demo", "production"}:
    raise ImproperlyConfigured("INHOUSE_PROFILE must be 'demo' or 'production'.")
PRODUCTION = PROFILE == "production"

SECRET_KEY = os.environ.get("INHOUSE_SECRET_KEY", DEMO_SECRET_KEY)
if PRODUCTION and (SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "INHOUSE_SECRET_KEY must be set to a random value of at least 50 characters "
        "in the production profile; the demo key is refused."
    )

DEBUG = env_bool("INHOUSE_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("INHOUSE_DEBUG cannot be on in the production profile.")
ALLOWED_HOSTS = env_list(
    "INHOUSE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("INHOUSE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Only for its static files and templates: with ninja installed as an app, the API
    # docs load Swagger UI from the desk itself instead of a CDN a closed network cannot reach.
    "ninja",
    "inhouse.core",
    "inhouse.org",
    "inhouse.audit",
    "inhouse.catalog",
    "inhouse.sla",
    "inhouse.desk",
    "inhouse.feedback",
    "inhouse.knowledge",
    "inhouse.search",
    "inhouse.web",
    "inhouse.ops",
]

MIDDLEWARE = [
    "inhouse.core.middleware.CorrelationIdMiddleware",
    "inhouse.core.middleware.CacheScopeMiddleware",
    "inhouse.core.middleware.RequestSizeLimitMiddleware",
    "inhouse.core.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "inhouse.core.middleware.ViewerTimezoneMiddleware",
]

ROOT_URLCONF = "inhouse.urls"
WSGI_APPLICATION = "inhouse.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inhouse.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("INHOUSE_DATABASE_URL", f"sqlite:///{DATA_DIR / 'inhouse.sqlite3'}"),
        conn_max_age=int(os.environ.get("INHOUSE_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite creates the file but not its folder; a fresh checkout has no ./var yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Concurrent writers queue behind one IMMEDIATE transaction instead of failing
    # with "database is locked" halfway through; WAL lets readers run alongside.
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else DATABASES["default"]["CONN_MAX_AGE"]
    # Django's SQLite, with write transactions taking turns promptly (core/sqlite).
    DATABASES["default"]["ENGINE"] = "inhouse.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file like production does: an in-memory shared-cache database
    # takes table locks that ignore the busy timeout, so concurrency tests would lie.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("INHOUSE_TEST_SQLITE_NAME", str(DATA_DIR / "test.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Attachments live outside the database and outside any static path; they are
# only ever served through a view that checks the caller may see the request.
ATTACHMENT_ROOT = Path(os.environ.get("INHOUSE_ATTACHMENT_ROOT", DATA_DIR / "attachments"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("INHOUSE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("INHOUSE_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# How long a requester may reopen a resolved request, in days.
REOPEN_WINDOW_DAYS = int(os.environ.get("INHOUSE_REOPEN_WINDOW_DAYS", "14"))
# Feedback aggregates (clarity, survey results) cover at least this many answers or show nothing.
FEEDBACK_MIN_GROUP_SIZE = int(os.environ.get("INHOUSE_FEEDBACK_MIN_GROUP_SIZE", "5"))
# A clock this close to its due time (as a share of its target) counts as at risk.
SLA_AT_RISK_SHARE = float(os.environ.get("INHOUSE_SLA_AT_RISK_SHARE", "0.2"))
# Kudos one person may send in 24 hours; more would be noise, or spam.
KUDOS_DAILY_CAP = int(os.environ.get("INHOUSE_KUDOS_DAILY_CAP", "10"))
# Fewer feedback answers than this are never shown as a figure (anonymity, and noise).
FEEDBACK_MIN_GROUP_SIZE = int(os.environ.get("INHOUSE_FEEDBACK_MIN_GROUP_SIZE", "5"))
# A customer team whose requests a provider rates below this mean clarity (1-5) is
# suggested the provider's next training session.
TRAINING_UNCLEAR_BELOW = float(os.environ.get("INHOUSE_TRAINING_UNCLEAR_BELOW", "3.0"))
# Sign-ups are reminded this many hours before their session starts.
TRAINING_REMINDER_HOURS = int(os.environ.get("INHOUSE_TRAINING_REMINDER_HOURS", "24"))
# Mounts /bench/insert, the bare baseline `make bench` compares the API against.
BENCH_ENDPOINTS = env_bool("INHOUSE_BENCH_ENDPOINTS", False)
if PRODUCTION and BENCH_ENDPOINTS:
    raise ImproperlyConfigured("INHOUSE_BENCH_ENDPOINTS cannot be on in the production profile.")

TASK_BACKEND = os.environ.get("INHOUSE_TASK_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            # django-tasks-db's, its rows written cheaply (core/task_queue.py).
            "database": "inhouse.core.task_queue.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }.get(TASK_BACKEND, TASK_BACKEND),
        "QUEUES": [],
    }
}

EMAIL_BACKEND = os.environ.get(
    "INHOUSE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("INHOUSE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("INHOUSE_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("INHOUSE_FROM_EMAIL", "inhouse@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("INHOUSE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("INHOUSE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "inhouse.core.logging.CorrelationIdFilter"}},
    "formatters": {
        "plain": {
            "()": "inhouse.core.logging.SingleLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["correlation"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("INHOUSE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
