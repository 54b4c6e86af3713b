"""The one settings module. Everything that differs between machines comes from the environment.

``make run`` sets DEBUG=true; production sets INCIDENTROOM_ENV=production, which makes
SECRET_KEY mandatory and turns on secure cookies.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from incidentroom.env import ConfigError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("INCIDENTROOM_VAR", str(PROJECT_DIR / "var")) or "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = (env_str("INCIDENTROOM_ENV", "development") or "development") == "production"
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """Production needs an explicit key; locally one is generated once into ./var/."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ConfigError("SECRET_KEY (or SECRET_KEY_FILE) is required when INCIDENTROOM_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _log_checkpoint_key() -> bytes:
    """The key that signs the decision log's head (see ``incidents/logchain.py``).

    It must not live in the database: someone able to rewrite the log table must not be able
    to re-sign its head. Production takes it from LOG_CHECKPOINT_KEY (or _FILE) so that every
    server shares it; locally one is generated once into ./var/.
    """
    key = env_str("LOG_CHECKPOINT_KEY")
    if key:
        return key.encode("utf-8")
    if PRODUCTION:
        raise ConfigError(
            "LOG_CHECKPOINT_KEY (or LOG_CHECKPOINT_KEY_FILE) is required when INCIDENTROOM_ENV=production"
        )
    path = VAR_DIR / "log_checkpoint_key"
    try:
        # O_EXCL: parallel first starts (test workers) must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text.encode("utf-8")
        time.sleep(0.01)  # another process created the file and is still writing it
    raise ConfigError(f"{path} is empty; delete it or set LOG_CHECKPOINT_KEY.")


LOG_CHECKPOINT_KEY = _log_checkpoint_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # django-ninja's own copy of Swagger UI and ReDoc: /api/docs works offline, no CDN.
    "ninja",
    "incidentroom.core",
    "incidentroom.estate",
    "incidentroom.incidents",
    "incidentroom.status",
    "incidentroom.advisories",
    "incidentroom.continuity",
    "incidentroom.breach",
    "incidentroom.threats",
    # Last: its command writes into every app above.
    "incidentroom.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public status pages, from their published files: before sessions and the database.
    "incidentroom.status.middleware.PublishedStatusMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "incidentroom.core.middleware.DomainErrorMiddleware",
    # axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response: scripts, styles, fonts and images only from
# this site (GOV.UK Frontend, htmx and Swagger UI are served locally), inline scripts only
# with the per-request nonce (templates write nonce="{{ request.csp_nonce }}"), no inline
# styles, no plugins, no framing. tests/core/test_csp_browser.py loads every page kind in
# Chromium and fails on any violation it reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "incidentroom.urls"
WSGI_APPLICATION = "incidentroom.wsgi.application"

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
                "incidentroom.core.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'incidentroom.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web process reads; the busy timeout rides out
    # the short write locks instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures lock that username from that address for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    BASE_DIR / "static",
]
# Without collectstatic (make run, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "incident-room@localhost")

# Where the scanner, reports and the public status site write their files.
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# The reporting-clock rules; a council points this at its own extended copy.
OBLIGATION_RULES_FILE = env_str("INCIDENTROOM_OBLIGATION_RULES", "") or None
AXES_LOCKOUT_CALLABLE = "incidentroom.core.views.lockout"

# -- public status page (issue 5) ------------------------------------------------------
# The static copy of the status site, written on every change; point any web server or
# object store at it so residents can check it apart from the compromised estate.
STATUS_PUBLISH_DIR = Path(env_str("STATUS_PUBLISH_DIR", "") or VAR_DIR / "public-status")
# Where this app is served, for every link that leaves it (emails, feeds, the static copy);
# links inside pages are relative. Defaults to this machine on PORT (as `make run PORT=...`).
PORT = env_int("PORT", 8000)
SITE_URL = (env_str("SITE_URL", "") or f"http://127.0.0.1:{PORT}").rstrip("/")
# Absolute address of this app (links in emails) and of the published static copy (feed links).
STATUS_BASE_URL = env_str("STATUS_BASE_URL", "") or SITE_URL
STATUS_PUBLIC_URL = env_str("STATUS_PUBLIC_URL", "") or STATUS_BASE_URL.rstrip("/") + "/status/"
# The static copy's subscribe form posts here, so it must be absolute.
STATUS_SUBSCRIBE_URL = (
    env_str("STATUS_SUBSCRIBE_URL", "") or STATUS_BASE_URL.rstrip("/") + "/status/subscribe/"
)
STATUS_SITE_NAME = env_str("STATUS_SITE_NAME", "") or "Council service status"
# Subscribe requests allowed per email address and per IP address within the window.
STATUS_SUBSCRIBE_PER_ADDRESS = env_int("STATUS_SUBSCRIBE_PER_ADDRESS", 3)
STATUS_SUBSCRIBE_PER_IP = env_int("STATUS_SUBSCRIBE_PER_IP", 20)
STATUS_SUBSCRIBE_WINDOW_SECONDS = env_int("STATUS_SUBSCRIBE_WINDOW_SECONDS", 3600)
# Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: use REMOTE_ADDR).
STATUS_PROXY_HOPS = env_int("STATUS_PROXY_HOPS", 0)

# -- staff advisories and business continuity (issue 5) ----------------------------------
# Unread advisories are shown before any other page (so at sign-in) until acknowledged;
# it needs the signed-in user, so it sits after authentication, before axes.
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
    "incidentroom.advisories.middleware.AdvisoryGateMiddleware",
)
# National contacts printed in every grab bag; a council points this at its extended copy.
CONTINUITY_CONTACTS_FILE = env_str("CONTINUITY_CONTACTS_FILE", "") or None

# -- breach (UK GDPR Art 33/34) -------------------------------------------------------
# Folders on the server that a scan may read; a DPO cannot point the scanner elsewhere.
BREACH_SCAN_ROOTS = env_list("BREACH_SCAN_ROOTS", [str(VAR_DIR / "evidence")])
BREACH_SCAN_WORKERS = env_int("BREACH_SCAN_WORKERS", 1)
BREACH_SCAN_CLUSTER = env_str("BREACH_SCAN_CLUSTER", "") or None
# A running scan silent for this long may be resumed by the DPO (its worker has died).
BREACH_SCAN_STALE_SECONDS = env_int("BREACH_SCAN_STALE_SECONDS", 900)
# Risk levels that get an Art 34 letter or email by default (the policy is per batch too).
BREACH_NOTIFY_RISKS = env_list("BREACH_NOTIFY_RISKS", ["high"])
# Email notices: at most this many per minute; failed sends retried up to this many times.
BREACH_EMAIL_RATE_PER_MINUTE = env_int("BREACH_EMAIL_RATE_PER_MINUTE", 60)
BREACH_EMAIL_MAX_ATTEMPTS = env_int("BREACH_EMAIL_MAX_ATTEMPTS", 3)
BREACH_EMAIL_RETRY_SECONDS = env_int("BREACH_EMAIL_RETRY_SECONDS", 300)
BREACH_UPLOAD_MAX_BYTES = env_int("BREACH_UPLOAD_MAX_BYTES", 2 * 1024**3)

# -- indicators, sweeps and evidence (issue 17) ------------------------------------------
# Log exports on the server are read from <THREAT_SWEEP_ROOT>/<organisation code>/ only;
# a responder cannot point a sweep at another council's folder or elsewhere.
THREAT_SWEEP_ROOT = env_str("THREAT_SWEEP_ROOT", "") or str(VAR_DIR / "logs")
THREAT_UPLOAD_MAX_BYTES = env_int("THREAT_UPLOAD_MAX_BYTES", 2 * 1024**3)
# A sweep's files are swept in parallel like the scanner's: a local process pool of this many
# workers, or the Dask scheduler named here (defaults to the scanner's, BREACH_SCAN_CLUSTER).
THREAT_SWEEP_WORKERS = env_int("THREAT_SWEEP_WORKERS", 2)
THREAT_SWEEP_CLUSTER = env_str("THREAT_SWEEP_CLUSTER", "") or BREACH_SCAN_CLUSTER
# Line-based logs larger than this are swept in byte ranges of about this size (line boundaries).
THREAT_SWEEP_SPLIT_BYTES = env_int("THREAT_SWEEP_SPLIT_BYTES", 256 * 1024 * 1024)
# A running sweep with no sign of life for this long is taken as interrupted and can be resumed.
THREAT_SWEEP_STALE_SECONDS = env_int("THREAT_SWEEP_STALE_SECONDS", 600)
# Copies of evidence the server may hash to re-verify: <THREAT_EVIDENCE_ROOT>/<code>/.
THREAT_EVIDENCE_ROOT = env_str("THREAT_EVIDENCE_ROOT", "") or str(VAR_DIR / "evidence-copies")
