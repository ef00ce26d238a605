"""Settings for the digital commissioners' remarks tracker.

Everything that differs between a laptop and production comes from the environment.
With nothing set, the project runs in DEBUG on a SQLite file in the project folder.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-0123456789abcdef"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    "core",
    "agencies",
    "commissioners",
    "remarks",
    "open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.sessions.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a lockout into the translated 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "remarks.context_processors.navigation",
                "remarks.context_processors.terms",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the server write at the same time: WAL lets readers go on while one
    # writes, IMMEDIATE takes the write lock when a transaction begins (not halfway, where
    # SQLite could only fail it), and a writer waits up to 20 s for the other.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the static root and are served only through a view that checks
# who is asking; on several app servers MEDIA_ROOT is shared storage.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = 5
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# E-mail: printed to the console in development, SMTP (EMAIL_HOST, EMAIL_PORT...) in production.
_email_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": envint("EMAIL_PORT", 25),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS"),
            "timeout": envint("EMAIL_TIMEOUT", 10),
        }
        if _email_backend.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@digital-commissioners.kz")

# Sessions live in the database, so any app server can continue any user's session.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
# Saved when changed, and renewed once a tenth of its lifetime has passed (core.sessions).
SESSION_SAVE_EVERY_REQUEST = False
# Staff sessions (agency members, admin users) expire sooner: set at login by core.twofactor.
STAFF_SESSION_IDLE_SECONDS = envint("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    # Subdomains and the preload list bind hosts this app does not serve, for months: the
    # operator's choice, off unless set.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD")
    # check --deploy warns about exactly these two choices (W005, W021) whatever the operator
    # decided; every other warning still fails `make deploy-check`.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
        )
    ]

# Forms render Django's own form templates through Jinja2 (core.renderers: same markup, a
# fraction of the CPU); what only the template language has falls back to it.
FORM_RENDERER = "core.renderers.FormRenderer"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cache_table",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Failed logins (django-axes): counted per username and address together in the database
# (shared by all app servers); a success resets the count.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.twofactor.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.twofactor.client_ip"
AXES_USERNAME_CALLABLE = "core.twofactor.login_username"
# How many proxies of ours append to X-Forwarded-For (0: trust only REMOTE_ADDR).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Password reset (core.password_reset): requests per hour for one e-mail address and from one
# client address, counted in the database (core.throttle); over a limit nothing is sent and
# the page is the same as for an address we do not know. The e-mail goes through the outbox.
PASSWORD_RESET_PER_EMAIL_PER_HOUR = envint("PASSWORD_RESET_PER_EMAIL_PER_HOUR", 3)
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = envint("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", 10)
OUTBOX_QUEUE = "remarks.outbox.outbox_queue"

# Second factor (django-otp, TOTP): optional for staff; required for coordinators, heads,
# commission secretaries and admin users when STAFF_2FA_REQUIRED is on, which it is by
# default with DEBUG off. Who is staff and who must use it is asked of the agencies app
# (core knows no domain model).
STAFF_2FA_REQUIRED = envbool("STAFF_2FA_REQUIRED", default=not DEBUG)
TWO_FACTOR_ALLOWED_FOR = "agencies.twofactor.may_use_two_factor"
TWO_FACTOR_REQUIRED_FOR = "agencies.twofactor.must_use_two_factor"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Digital commissioners")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SEED_DEMO_PASSWORD = os.environ.get("SEED_DEMO_PASSWORD", "demo-commissioner-2026")

# Work outside the request (e-mail, digests, purges) is a task in the database, run by
# `manage.py worker` beside the app servers, on any number of nodes (remarks.tasks).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
# Jobs the workers run once per period across all nodes (core.periodic): name, function,
# "hourly" or "daily" (local time), and optionally a function of the local time that says
# whether the period's run is due yet.
PERIODIC_JOBS = [
    ("overdue-digest", "remarks.tasks.overdue_digest", "daily", "remarks.tasks.overdue_digest_is_due"),
    ("staff-notice-digest", "remarks.tasks.staff_notice_digest", "daily", "remarks.tasks.overdue_digest_is_due"),
    ("deadline-notices", "remarks.tasks.deadline_notices", "hourly"),
    ("drafts-purge", "remarks.tasks.purge_drafts", "hourly"),
    ("prune-task-results", "core.periodic.prune_task_results", "daily"),
    ("prune-throttle", "core.throttle.prune_throttle", "hourly"),
    ("compact-facts", "remarks.stats.rollup.compact", "hourly"),
    ("letters-requeue", "remarks.tasks.requeue_letters", "hourly"),
]
