"""Settings of the portal, read from the environment only.

With no environment at all (and DEBUG=1, as `make run` sets it) the portal runs
in its embedded mode: SQLite in WAL mode, kombu's filesystem broker and e-mail
printed on the console, everything under ``var/``. Production switches to
PostgreSQL, Redis and SMTP through ``DATABASE_URL``, ``REDIS_URL`` /
``CELERY_BROKER_URL`` and ``EMAIL_URL`` (see README.md, "Production").
"""

from __future__ import annotations

import secrets
from datetime import time, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _local_secret_key() -> str:
    """A per-checkout key for local runs, so that no secret is ever committed."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY in the "
            "environment (python -c 'import secrets; print(secrets.token_urlsafe(50))'); "
            "for a local run, set DEBUG=1 or use `make run`."
        )
    SECRET_KEY = _local_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public address of the portal, used in e-mails and calendar feeds.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_htmx",
    "template_partials",
    "csp",
    "widget_tweaks",  # django-dsfr's radio and checkbox templates load it
    "dsfr",
    "simple_history",
    "import_export",
    # Our apps, bottom of the dependency chain first (DESIGN.md).
    "core",
    "accounts",
    "notifications",
    "topics",
    "calendar_app",
    "arbitrations",
    "catalogue",
    "concertation",
    "segur_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Answers to signed-in people: Cache-Control: private, no-store.
    "core.middleware.PrivateCacheControlMiddleware",
    "core.middleware.LanguageMiddleware",
    # A control character (NUL…) in the address: 400, before any view reads it.
    "core.middleware.BadAddressMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Sessions that outlive their limits end; leads and admins pass TOTP (accounts/).
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    # Last: turns a locked-out login into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "segur_portal.urls"
FORM_RENDERER = "core.forms.DsfrFormRenderer"
WSGI_APPLICATION = "segur_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "segur_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read while one of them writes;
    # IMMEDIATE transactions take the write lock up front instead of failing
    # with "database is locked" when a reader upgrades to a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file, not memory, so that a Celery worker started by a test sees the
    # test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured, a local cache otherwise ----------------------


def redis_cache(url: str) -> dict:
    """The cache on Redis; with Redis down it degrades to a miss instead of an error."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }


REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# What sign-in counts and remembers (allauth's rate limits, the TOTP codes
# already used) is in the database, never in Redis: a miss there would refuse
# every sign-in (allauth cannot take its lock) or accept a code twice.
# accounts.apps points allauth at this cache; its table is a model
# (accounts.SecurityCacheEntry), created by migrate.
CACHES["security"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "accounts_security_cache",
    "OPTIONS": {"MAX_ENTRIES": 50_000},
}

# --- Accounts and login ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt on a locked-out account or address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Concertation Ségur] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# SC.SSI/IE.31/32: one address per account; a new address replaces the old one
# only once verified, and the old address is told of the change (and of
# password and second-factor changes). Sensitive changes ask for the password again.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_PREVENT_ENUMERATION = True
# The password-reset form mails only addresses that have an account (allauth
# mailed the others "you have no account"); its page says the same either way.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False

# Second factor (SC.SSI/IE.34/35): TOTP with recovery codes, mandatory for
# leads and admins (accounts.middleware.MfaRequiredMiddleware), optional for
# others, renewed after MFA_TOTP_RENEWAL_DAYS. With DEBUG on, the demo
# accounts (@demo.example) may skip it.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Concertation Ségur"
# One step of clock drift or of typing delay is accepted, as RFC 6238 (5.2)
# recommends: a code typed in its last second stays good for the next 30 s.
# A code is still accepted once only.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_RENEWAL_DAYS = env.int("MFA_TOTP_RENEWAL_DAYS", default=365)
MFA_DEMO_EXEMPT_DOMAIN = "demo.example" if DEBUG else None

# Failed sign-ins (django-axes, in the database so that every gunicorn worker
# sees them): five from one address lock that account *from that address*
# for 15 minutes, from the fifth; strangers elsewhere cannot lock a person out,
# and typos behind a shared address lock nobody else. Past twice as many
# failures from all addresses, the account is slowed down instead
# (accounts.security.login_wait), except from addresses it signed in from
# before and for accounts with a second factor: the right password and code
# are never refused.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.security.login_identifier"
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
LOGIN_SLOWDOWN_AFTER = 2 * AXES_FAILURE_LIMIT
LOGIN_SLOWDOWN_MAX_DELAY = timedelta(minutes=1)
# The client's address, one reading for axes, allauth's rate limits and the
# audit log (accounts.security.client_ip): behind TRUSTED_PROXY_COUNT proxies,
# the one the outermost appended to X-Forwarded-For; otherwise the TCP peer.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_VERBOSE = False
# allauth's own limits (in the "security" cache) stay as a second line:
# failures per address, then per account and address above axes' limit so
# that the lockout page, not a form error, answers the fifth (accounts.adapter);
# TOTP codes per account.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,10/5m/key"}
# Logins go to the audit log (accounts.audit), failures stay in axes.AccessAttempt.
AXES_DISABLE_ACCESS_LOG = True

# Sessions end after 30 minutes idle and 12 hours in all
# (accounts.middleware.SessionLimitsMiddleware); a password change ends the
# others (Django's session hash).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_MAX_AGE = timedelta(hours=env.int("SESSION_MAX_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The audit log keeps 12 months (accounts.tasks.purge_audit_log, daily on beat).
AUDIT_LOG_RETENTION_DAYS = env.int("AUDIT_LOG_RETENTION_DAYS", default=365)
# Invitations to join the portal expire.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Optional OpenID Connect login (ProConnect, Pro Santé Connect), switched on
# per provider by its environment variables (README.md). It signs in people
# who already have an account (same verified address); it never creates one.
_OIDC_PROVIDERS = [("proconnect", "ProConnect", "PROCONNECT"), ("psc", "Pro Santé Connect", "PSC")]
_OIDC_APPS = [
    {
        "provider_id": provider_id,
        "name": name,
        "client_id": env(f"{prefix}_CLIENT_ID"),
        "secret": env(f"{prefix}_SECRET"),
        "settings": {
            "server_url": env(f"{prefix}_SERVER_URL"),
            "token_auth_method": "client_secret_post",
            "oauth_pkce_enabled": True,
        },
    }
    for provider_id, name, prefix in _OIDC_PROVIDERS
    if env(f"{prefix}_CLIENT_ID", default="")
]
if _OIDC_APPS:
    INSTALLED_APPS += ["allauth.socialaccount", "allauth.socialaccount.providers.openid_connect"]
    SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": _OIDC_APPS}}
    SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
    SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
    SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
    SOCIALACCOUNT_LOGIN_ON_GET = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Internationalisation: French first, English available -----------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files only their readers may download (feedback attachments): never under
# MEDIA_ROOT, served by a view that checks access.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
FEEDBACK_ATTACHMENT_MAX_BYTES = env.int("FEEDBACK_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
FEEDBACK_ATTACHMENTS_PER_FEEDBACK = 5
# A document (ODT, DOCX, XLSX) is a zip: one larger than this once
# uncompressed is refused (a zip bomb), for event documents and feedback
# attachments alike (core.files).
UPLOAD_MAX_UNCOMPRESSED_BYTES = env.int("UPLOAD_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (run `collectstatic`); plain
        # files served from the apps in local runs and tests.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail -----------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Concertation Ségur <ne-pas-repondre@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A send never hangs a worker past the outbox's lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Celery -------------------------------------------------------------------------
# The broker must never hold a request: publishing fails fast when it is down,
# and the database (not the broker) says what is still due.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    for _folder in ("processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    _results_dir = VAR_DIR / "celery" / "results"
    _results_dir.mkdir(parents=True, exist_ok=True)
    _default_result_backend = f"file://{_results_dir}"
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 0,
    }
    _default_result_backend = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_default_result_backend)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="segur")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The notifications' sweep: delivers what the outbox says is due (digests
# included: their rows are due at the digest time), every minute.
NOTIFICATIONS_SWEEP_SECONDS = env.float("NOTIFICATIONS_SWEEP_SECONDS", default=60)
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
        # A sweep that waited longer than one interval is superseded by the next.
        "options": {"expires": NOTIFICATIONS_SWEEP_SECONDS},
    },
    "purge-audit-log": {"task": "accounts.tasks.purge_audit_log", "schedule": 24 * 3600},
    # Catalogue imports left queued while the broker was down (catalogue/).
    "catalogue-imports-resume": {
        "task": "catalogue.tasks.resume_catalogue_imports",
        "schedule": 60,
        "options": {"expires": 60},
    },
    "submission-tokens-purge": {
        "task": "arbitrations.tasks.purge_submission_tokens",
        "schedule": crontab(hour=3, minute=29),
    },
    "notifications-purge": {
        "task": "notifications.tasks.purge",
        "schedule": crontab(hour=3, minute=17),
    },
    # Reminders are planned when events change; this catches what changes
    # elsewhere (new participants, SONS sold, audiences, feedback windows).
    "calendar-reminders": {
        "task": "calendar_app.tasks.plan_reminders",
        "schedule": 600,
        "options": {"expires": 600},
    },
}
# How long a decision form's one-time token (double-submit guard) is kept.
SUBMISSION_TOKEN_DAYS = env.int("SUBMISSION_TOKEN_DAYS", default=2)
# How long a claimed outbox row is its claimer's; gathered "immediate" e-mails.
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=600)
NOTIFICATIONS_IMMEDIATE_SECONDS = env.int("NOTIFICATIONS_IMMEDIATE_SECONDS", default=60)
NOTIFICATIONS_SWEEP_BATCH = env.int("NOTIFICATIONS_SWEEP_BATCH", default=500)


def _days(name: str) -> list[int]:
    """Days before, as "7,1" ("" for none)."""
    value = env(name, default="7,1")
    try:
        days = sorted({int(day) for day in value.split(",") if day.strip()}, reverse=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name} lists whole days, e.g. 7,1 (not {value!r})") from None
    if any(day < 0 for day in days):
        raise ImproperlyConfigured(f"{name} lists days before, not after (got {value!r})")
    return days


# Reminders (calendar_app/reminders.py): how many days before an event, per
# kind of event, and before a topic's feedback window closes, at what time.
REMINDER_DAYS = {
    kind: _days(f"REMINDER_DAYS_{kind.upper()}")
    for kind in (
        "sharing_session",
        "workshop",
        "steering_committee",
        "milestone",
        "other",
        "feedback_window",
    )
}
try:
    REMINDER_TIME = time.fromisoformat(env("REMINDER_TIME", default="08:00"))
except ValueError:
    raise ImproperlyConfigured("REMINDER_TIME is a time of day in Paris, e.g. 08:00") from None

# --- Security headers -----------------------------------------------------------------
# No inline script anywhere: DSFR and htmx load from our own origin with a
# nonce, htmx runs without eval and without injecting its indicator styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The load balancer's health check may come in plain HTTP, straight to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS proxy, it says the request came in HTTPS (README, "Production").
# Trusted only when a proxy is declared: a client reaching gunicorn directly
# could otherwise claim HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None

# --- Logging -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Axes logs every attempt; lockouts reach the audit log (accounts.audit).
        "axes": {"level": "WARNING"},
    },
}

# --- Requirement catalogue: imports of the authority's spreadsheets -------------------
# Limits of an uploaded file; an XLSX is a zip: its uncompressed size is capped too.
CATALOGUE_IMPORT_MAX_BYTES = env.int("CATALOGUE_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
CATALOGUE_IMPORT_MAX_ROWS = env.int("CATALOGUE_IMPORT_MAX_ROWS", default=5000)
CATALOGUE_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int(
    "CATALOGUE_IMPORT_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024
)
# Above this many rows, a confirmed import runs in a Celery task (progress bar).
CATALOGUE_IMPORT_ASYNC_ROWS = env.int("CATALOGUE_IMPORT_ASYNC_ROWS", default=300)
# Above this size, an uploaded file is checked (dry run) in a Celery task too:
# a request never reads a large workbook.
CATALOGUE_IMPORT_ASYNC_BYTES = env.int("CATALOGUE_IMPORT_ASYNC_BYTES", default=256 * 1024)

# --- Portal ------------------------------------------------------------------------------
PORTAL_NAME = _("Concertation Ségur numérique — vague 2")
DSFR_USE_INTEGRITY_CHECKSUMS = True
