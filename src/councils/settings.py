"""Django settings for Councils: one file, configured by environment variables.

Production uses this same file with other values (``DATABASE_URL``, ``SECRET_KEY``, ``DEBUG``,
``ALLOWED_HOSTS``, ``REDIS_URL``); the defaults run the embedded mode on SQLite.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("COUNCILS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The SECRET_KEY from the environment, or one generated once into the data directory."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        # O_EXCL: two processes starting together agree on the one key written first.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # ninja's own static files: /api/docs loads Swagger UI from here, not from a CDN.
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "councils.accounts",
    "councils.audit",
    "councils.federation",
    "councils.voting",
    "councils.deliberation",
    "councils.web",
]

MIDDLEWARE = [
    # First: the version a page's live stream follows from is taken before anything is read.
    "councils.web.middleware.LiveSince",
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the (constant) policy built once.
    "councils.web.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware without its search for a language prefix in the path (there is none).
    "councils.web.middleware.Locale",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after it: the session's user read with SQL written once (the same checks as Django's).
    "councils.web.authentication.SessionUser",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "councils.web.middleware.OverflowIsNotFound",
    # Axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "councils.urls"
ASGI_APPLICATION = "councils.asgi.application"
WSGI_APPLICATION = None

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: SQLite in the data directory unless DATABASE_URL names another.
_SQLITE_OPTIONS = {
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # processes queue instead of failing with "database is locked" (STACK-NOTES).
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
_database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'councils.sqlite3'}"
_database = dj_database_url.parse(_database_url)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {**_SQLITE_OPTIONS, **_database.get("OPTIONS", {})}
    # Kept open by each server thread: opening one and running the PRAGMAs above on every request
    # cost more than some requests do.
    _database["CONN_MAX_AGE"] = 600
    # The test database is a file too, so a live server thread and the tests see the same data.
    _database["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif _database["ENGINE"] == "django.db.backends.postgresql":
    # Each of a server process's request threads (COUNCILS_THREADS, councils.serving: a fixed set)
    # keeps its own connection open across requests. Taking one from psycopg 3's pool and giving it
    # back on every request cost a cast about a fifth of its CPU (bench/voting_bench.py: 1.97 ms
    # of server CPU per ballot with the pool, 1.61 ms without). The pool (COUNCILS_DB_POOL=true)
    # suits servers that run views in threads of their own making, unbounded in number.
    if _env_bool("COUNCILS_DB_POOL", False):
        # Sized per server process: one connection for each of its request threads, and a few
        # for the live streams' permission checks.
        _threads = int(os.environ.get("COUNCILS_THREADS", "4"))
        _database["OPTIONS"] = {"pool": {"min_size": 2, "max_size": _threads + 4, "timeout": 20}}
        _database["CONN_MAX_AGE"] = 0
    else:
        _database["CONN_MAX_AGE"] = 600
    # Prepared statements: Django turns them off (for poolers in transaction mode, which Councils
    # does not use: its pool is in the process). Only the cursors of councils.hotsql bind on the
    # server and so can be prepared: the few statements of every request (the token, the cast),
    # each planned once per connection instead of on every execution. Django's own cursors bind
    # on the client and are never prepared, whatever this says.
    _database["OPTIONS"] = {**_database.get("OPTIONS", {}), "prepare_threshold": 0}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Live-update channels are named with this prefix: installations sharing one Redis or one
# PostgreSQL server keep apart by giving each its own.
COUNCILS_LIVE_CHANNEL_PREFIX = os.environ.get("COUNCILS_LIVE_CHANNEL_PREFIX", "councils")

# A personal API token that authenticated in this server process is authenticated from memory for
# this many seconds (councils.accounts.tokencache; 0 turns it off). Revoking a token or deactivating
# its user takes effect at once in the process that does it, and in every other server process
# within these seconds at most: the bound a revocation may wait (docs/operations.md).
COUNCILS_TOKEN_CACHE_SECONDS = float(os.environ.get("COUNCILS_TOKEN_CACHE_SECONDS", "5"))
# At most this many tokens are remembered per process (the least recently used are forgotten first).
COUNCILS_TOKEN_CACHE_SIZE = int(os.environ.get("COUNCILS_TOKEN_CACHE_SIZE", "10000"))
# A token's last use (kept to the minute) is written with the other uses of the last this many
# seconds, in one statement per server process (councils.accounts.tokenuse; 0 writes each at once).
COUNCILS_TOKEN_USE_SECONDS = float(os.environ.get("COUNCILS_TOKEN_USE_SECONDS", "1"))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

#: Addresses (or networks, as uvicorn's ``forwarded_allow_ips`` reads them) of the reverse proxies
#: whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers are believed. None by default: a
#: request's address is then the connection's, whatever headers it sends (``councils serve``).
COUNCILS_TRUSTED_PROXIES = [
    a.strip() for a in os.environ.get("COUNCILS_TRUSTED_PROXIES", "").split(",") if a.strip()
]


def _client_address(request: object) -> str | None:
    """The address throttling keys on: REMOTE_ADDR, which the server sets from a forwarded header
    only for a trusted proxy (never the header itself, which any client can write)."""
    meta: dict[str, str] = getattr(request, "META", {})
    return meta.get("REMOTE_ADDR") or None


# Throttled sign-in: after 5 failures from one user name and address, wait an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = _client_address
# Our page says when to try again (axes would answer with plain text).
AXES_LOCKOUT_CALLABLE = "councils.web.views.locked_out"

LANGUAGE_CODE = "en"
# The pages, the API's messages, the audit log's summaries and the live updates read in the
# reader's language: the language switcher's cookie, else the browser's Accept-Language
# (LocaleMiddleware). Translations: locale/ru/LC_MESSAGES/django.po (docs/translating.md).
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice is remembered for a year (Django's default ends with the browser session).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Dates and numbers follow the language; councils/formats/ overrides a few of Django's formats.
FORMAT_MODULE_PATH = ["councils.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the finders; the directory only has to exist for it to start quietly.
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# HTTPS (docs/operations.md): COUNCILS_HTTPS=1 when the site is served over TLS, usually by a
# proxy named in COUNCILS_TRUSTED_PROXIES (whose X-Forwarded-Proto then says the request was
# secure). It redirects plain HTTP, sends HSTS and marks the cookies secure.
HTTPS = _env_bool("COUNCILS_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("COUNCILS_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and _env_bool("COUNCILS_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = HTTPS and _env_bool("COUNCILS_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Django's database sessions, read with SQL written once (every signed-in page reads its session).
SESSION_ENGINE = "councils.web.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS or _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Mail: Django's backends, chosen by COUNCILS_MAIL (smtp, file or console). With EMAIL_HOST set
# the default is SMTP; without it, files in the data directory's mail/ folder, so that an embedded
# installation never loses a message it could not send (docs/operations.md).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    # Django would refuse only when sending, message after message: say it at start instead.
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both set: choose one (TLS: STARTTLS, usually port 587; "
        "SSL: TLS from the start, usually port 465)."
    )
# A mail server that does not answer must not hold a request (or an import) for minutes.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Councils <councils@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
_MAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
COUNCILS_MAIL = os.environ.get("COUNCILS_MAIL", "smtp" if EMAIL_HOST else "file").strip().lower()
if COUNCILS_MAIL not in _MAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"COUNCILS_MAIL={COUNCILS_MAIL!r}: choose one of {', '.join(sorted(_MAIL_BACKENDS))}."
    )
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or _MAIL_BACKENDS[COUNCILS_MAIL]
EMAIL_FILE_PATH = DATA_DIR / "mail"
# Links in mail are absolute: mail sent from the command line has no request to take a host from.
COUNCILS_BASE_URL = os.environ.get("COUNCILS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The embedded trustee's key files (secret polls): outside the database and its backups.
COUNCILS_TRUSTEE_KEY_DIR = Path(
    os.environ.get("COUNCILS_TRUSTEE_KEY_DIR", str(DATA_DIR / "trustee-keys"))
).resolve()
# How long an invitation's link to set a password works; a password reset link works for
# PASSWORD_RESET_TIMEOUT (Django's default, three days).
COUNCILS_INVITATION_DAYS = int(os.environ.get("COUNCILS_INVITATION_DAYS", "14"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))
# Content-Security-Policy (django-csp): scripts only from the site's own files (the pages have no
# inline script); style attributes stay allowed, as the pages colour factions with them.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
