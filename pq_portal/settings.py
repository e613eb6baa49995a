"""Settings for the P&Q accreditation portal.

Everything that differs between machines is read from the environment here,
once, with defaults that let a newcomer run the site with no services at all
(SQLite, e-mail to the console, background jobs in-process).
"""

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("PQ_ENV", "development").strip().lower() == "production"
DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(os.environ.get("PQ_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("Production mode needs the SECRET_KEY environment variable.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production mode needs the ALLOWED_HOSTS environment variable.")
else:
    # A fixed development key: never used in production, which refuses to start without its own.
    SECRET_KEY = SECRET_KEY or "dev-insecure-pq-portal-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]

# E-mails that carry a secret link (password reset, invitation, address
# confirmation) are stored encrypted with this Fernet key until they are
# delivered (core.sealed); the key is never in the database, so backups hold
# only ciphertext. Comma-separated to rotate: the first encrypts, all decrypt.
# Make one with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
EMAIL_SECRET_KEYS = env_list("EMAIL_SECRET_KEY")
if PRODUCTION and not EMAIL_SECRET_KEYS:
    raise ImproperlyConfigured("Production mode needs the EMAIL_SECRET_KEY environment variable.")
if not EMAIL_SECRET_KEYS:
    # Development: derived from the development SECRET_KEY, so that it works with no setup.
    EMAIL_SECRET_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(b"pq-portal e-mail secrets\0" + SECRET_KEY.encode()).digest()).decode()
    ]
for _key in EMAIL_SECRET_KEYS:
    try:
        if len(base64.urlsafe_b64decode(_key)) != 32:
            raise ValueError
    except ValueError as error:
        raise ImproperlyConfigured("EMAIL_SECRET_KEY must be Fernet keys: 32 bytes, URL-safe base64.") from error
del _key

# The public address of the site, for links in e-mails sent by background jobs.
SITE_URL = os.environ.get("PQ_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "core.apps.PortalAdminConfig",  # Django's admin, every change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "csp",
    "core",
    "accounts",
    "organisations",
    "frameworks",
    "cohorts",
    "assessments",
    "judging",
    "results",
    "documents",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pq_portal.middleware.RefuseNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "pq_portal.urls"
WSGI_APPLICATION = "pq_portal.wsgi.application"
ASGI_APPLICATION = "pq_portal.asgi.application"

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
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite by default; DATABASE_URL (postgres://…) for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked"
    # when two autosaves arrive at once on the threaded development server.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # Tests use a file too, not SQLite's shared in-memory database: its table
    # locks fail at once ("database table is locked") instead of waiting, when
    # a browser test's live server answers two requests at the same time.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# pytest-xdist runs the tests in several processes (gw0, gw1, …) against
# one Redis. Each process gets Redis databases of its own (gw1 the numbers
# after gw0's, and so on) and a Celery queue of its own, so that one test's
# cache.clear(), purge or Celery worker never touches another process's.
# pytest-django gives each its own test database (…_gw0, …_gw1).
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def redis_urls_for_test_worker(urls: dict[str, str], worker: str) -> dict[str, str]:
    """The Redis URLs among `urls` moved to the databases of test process
    `worker` ("gw1"); the others as they are."""
    if not worker:
        return urls
    databases = {
        name: int(urlsplit(url).path.strip("/") or 0)
        for name, url in urls.items()
        if urlsplit(url).scheme in {"redis", "rediss"}
    }
    if not databases:
        return urls
    offset = int(worker.removeprefix("gw")) * (max(databases.values()) + 1)
    return {
        name: urlsplit(url)._replace(path=f"/{databases[name] + offset}").geturl() if name in databases else url
        for name, url in urls.items()
    }


_redis = redis_urls_for_test_worker(
    {name: os.environ.get(name, "") for name in ("CACHE_URL", "CELERY_BROKER_URL")}, TEST_WORKER
)

# Cache: shared between processes, because allauth keeps its rate limits here.
# The database by default (no service needed), Redis when CACHE_URL is set.
CACHE_URL = _redis["CACHE_URL"]
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "pq_cache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail address only, verified before first use, rate limited.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[P&Q portal] "
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so that they are visible and tested.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
    # The public certificate check (documents.views): not allauth's, but kept with the others.
    "verify_certificate": "20/m/ip",
}
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "P&Q portal"
# Accept the code of the neighbouring 30-second window too: phones' clocks
# drift, and a code typed at the end of its window should still work.
# A code can still be used only once.
MFA_TOTP_TOLERANCE = 1

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production the files are served straight from the apps, so that the
# site looks right with DEBUG off and no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite files live here
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail: to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "P&Q portal <noreply@pq-portal.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every e-mail of the portal starts with this (core.notifications; allauth has its own setting).
EMAIL_SUBJECT_PREFIX = "[P&Q portal] "

# Background jobs: in-process (eager, errors propagated) when no broker is set.
CELERY_BROKER_URL = _redis["CELERY_BROKER_URL"]
del _redis
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = f"celery-{TEST_WORKER}" if TEST_WORKER else "celery"
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"  # never contacted: jobs run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
# A worker child is also replaced once it holds this much memory (KiB), so that
# rendering documents for hours cannot grow it without bound.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_KB", 250_000))
# Longer than the longest task's hard time limit, so that a running task is
# never handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Celery beat (`celery -A pq_portal beat`) runs these once a day. Running beat
# twice, or two beats at once, still sends each deadline reminder only once.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "cohorts.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Evidence files and unsubmitted drafts past their cohort's retention period.
    "retention": {
        "task": "portal.retention.purge_expired_data",
        "schedule": crontab(hour=3, minute=30),
    },
}
# Modules with tasks that autodiscovery (each app's tasks.py) does not find.
CELERY_IMPORTS = ["portal.retention"]

# Privacy: who people write to about their personal data, and who receives
# reports of security vulnerabilities (README, "Security").
PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "privacy@pq-portal.local")
SECURITY_CONTACT_EMAIL = os.environ.get("SECURITY_CONTACT_EMAIL", "security@pq-portal.local")

# Programme rules.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "14"))
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "5"))
ORGANISATION_IMPORT_MAX_ROWS = int(os.environ.get("ORGANISATION_IMPORT_MAX_ROWS", "2000"))
# Evidence files of a self-assessment, in bytes.
EVIDENCE_MAX_FILE_BYTES = int(os.environ.get("EVIDENCE_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
EVIDENCE_MAX_ASSESSMENT_BYTES = int(os.environ.get("EVIDENCE_MAX_ASSESSMENT_BYTES", str(50 * 1024 * 1024)))

# Content Security Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The log-in ends after two hours without a request (every request pushes the
# expiry on, so it is inactivity that counts, not the time since log-in).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    if ALLAUTH_TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per successful job is noise; failures are still logged.
    "loggers": {
        "celery.app.trace": {"level": "WARNING"},
        # kombu describes the unused in-memory broker of the in-process mode.
        "kombu.connection": {"level": "ERROR"},
        # WeasyPrint logs each step of each PDF; fontTools each font it subsets.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
