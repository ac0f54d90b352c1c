"""Newsroom settings, read from the environment (twelve-factor). See README.md for every variable."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from newsroom.env import env, env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("NEWSROOM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

SITE_NAME = env("NEWSROOM_SITE_NAME", "Newsroom")
# Absolute base for links that leave the request (emails, feeds built by tasks).
SITE_URL = env("NEWSROOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# In order: Django, then the libraries, then ours, each depending only on those above it (docs/architecture.md).
INSTALLED_APPS = [
    "newsroom.admin_config.NewsroomAdminConfig",  # django.contrib.admin with the newsroom's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    "anymail",
    "newsroom",
    "articles",
    "photos",
    "mailinglist",
    "newsletters",
    "wire",
    "wpimport",
    "website",
]

# In order. The page cache answers a hit after the middleware every response needs (security headers, CSP,
# compression, X-Frame-Options) and before the rest: sessions, authentication, OTP, messages and lockouts concern only
# requests that are not served from it (newsroom/pagecache.py). Axes must be last: it turns a lockout raised anywhere
# in the stack into its lockout page. Static files (whitenoise) come compressed already and skip the rest, and so do
# uploaded pictures while they are on the local disk (newsroom/media.py).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.security.CSPMiddleware",
    "newsroom.security.StaticFilesMiddleware",  # whitenoise, without the manifest
    "newsroom.media.MediaFilesMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.pagecache.PageCacheMiddleware",
    "newsroom.overload.LoadShedMiddleware",
    "website.middleware.ScheduledChangesMiddleware",
    "website.middleware.OldAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
ASGI_APPLICATION = "newsroom.asgi.application"

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
                "website.context_processors.site",
            ],
        },
    },
]

# SQLite under var/ by default so a newcomer needs nothing installed; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A query running longer than this is cancelled (PostgreSQL statement_timeout, in milliseconds; 0: no limit).
# gunicorn.conf.py sets it for web requests, where a slow query must not hold a thread for ever; workers keep none.
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_STATEMENT_TIMEOUT:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # manage.py run straight after `make install` (before anything made var/) would otherwise fail with SQLite's
    # bare "unable to open database file".
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the task worker run alongside a writer; IMMEDIATE avoids
        # "database is locked" on lock upgrades inside transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches shared by every process on the machine (rate limits and the page cache must hold across gunicorn workers);
# Redis when REDIS_URL is set. "default" holds small records that must not be evicted (rate limits, the page cache's
# purge records); "pages" holds whole pages, which may be (on Redis, point it at an instance with an eviction policy).
REDIS_URL = env("REDIS_URL", "")
_CACHE_DIR = Path(env("NEWSROOM_CACHE_DIR", str(VAR_DIR / "cache")))
# Redis is an accelerator: while it is away, reads miss and writes are dropped (newsroom/cache.py), and a dead
# server is given up on within these seconds rather than holding up every request.
_REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "newsroom.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "OPTIONS": _REDIS_OPTIONS},
        "pages": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": env("NEWSROOM_PAGES_REDIS_URL", REDIS_URL),
            "KEY_PREFIX": "pages",
            "OPTIONS": _REDIS_OPTIONS,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(_CACHE_DIR),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(_CACHE_DIR / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

TASKS = {
    "default": {
        "BACKEND": env("NEWSROOM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email", "images", "wire"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # Uploaded originals (photos/storage.py) have no public URL (S3: point "originals" at a private bucket).
    "originals": {
        "BACKEND": "photos.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env("NEWSROOM_ORIGINALS_ROOT", str(VAR_DIR / "originals"))},
    },
    # WordPress exports uploaded to the admin (wpimport/): they hold drafts and authors' addresses, so no public URL
    # either; the task worker must reach them (S3: a private bucket).
    "imports": {
        "BACKEND": "photos.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env("NEWSROOM_IMPORTS_ROOT", str(VAR_DIR / "imports"))},
    },
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", f"{SITE_NAME} <newsroom@localhost>")
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Security: Django's protections on; the production values are the defaults whenever debug is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 60 * 60 * 12)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    # Only when a trusted proxy strips and sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "filters": {"one_line": {"()": "newsroom.security.OneLine"}},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # Every scanner sends bad Host headers: one short line each, not a traceback.
        "django.security.DisallowedHost": {"handlers": ["console"], "filters": ["one_line"], "propagate": False},
    },
}

DJANGO_PROSE_EDITOR_MENU_GROUPS = None  # the library's default menu

TAGGIT_CASE_INSENSITIVE = True

NEWSROOM_PAGE_SIZE = env_int("NEWSROOM_PAGE_SIZE", 20)
# Adds /_bench/baseline, the trivial view bench/run measures everything against. Never set in production.
NEWSROOM_BENCH = env_bool("NEWSROOM_BENCH", False)

# --- Security hardening (docs/security.md) ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Media may live on another origin (S3, a CDN): NEWSROOM_MEDIA_ORIGIN adds it to img-src.
_media_origins = env_list("NEWSROOM_MEDIA_ORIGINS", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_media_origins],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, *_media_origins],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({} if DEBUG else {"upgrade-insecure-requests": True}),
    }
}

AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("NEWSROOM_LOGIN_COOLOFF_MINUTES", 30))
# Lock the pair, not the username alone, so a stranger cannot lock an editor out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "newsroom.admin_site.locked_out"
AXES_HTTP_RESPONSE_CODE = 429

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Staff in these groups must use a TOTP device to enter the admin (e.g. "Editor"); others may opt in.
NEWSROOM_2FA_REQUIRED_GROUPS = env_list("NEWSROOM_2FA_REQUIRED_GROUPS", [])
OTP_TOTP_ISSUER = SITE_NAME
# Enrolling a first device starts with a code emailed to the account's address (newsroom/twofactor.py).
OTP_EMAIL_SENDER = DEFAULT_FROM_EMAIL
OTP_EMAIL_SUBJECT = f"{SITE_NAME}: your code to set up two-factor sign-in"
OTP_EMAIL_BODY_TEMPLATE_PATH = "admin/two_factor_email.txt"
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60

# Mailing list (see docs/mailinglist.md). Times are in seconds.
MAILINGLIST_CONFIRM_MAX_AGE = env_int("MAILINGLIST_CONFIRM_MAX_AGE", 7 * 24 * 60 * 60)
MAILINGLIST_PREFERENCES_MAX_AGE = env_int("MAILINGLIST_PREFERENCES_MAX_AGE", 90 * 24 * 60 * 60)
MAILINGLIST_NOTICE_INTERVAL = env_int("MAILINGLIST_NOTICE_INTERVAL", 60 * 60)
MAILINGLIST_SIGNUPS_PER_IP = env_int("MAILINGLIST_SIGNUPS_PER_IP", 20)
MAILINGLIST_SIGNUPS_PER_ADDRESS = env_int("MAILINGLIST_SIGNUPS_PER_ADDRESS", 5)
MAILINGLIST_RATE_WINDOW = env_int("MAILINGLIST_RATE_WINDOW", 60 * 60)
MAILINGLIST_MIN_FILL_SECONDS = env_int("MAILINGLIST_MIN_FILL_SECONDS", 3)
# How long a drawn signup form's signed start time stays good. Generous: pages carrying the form are cached for
# hours, and a reader may leave a tab open overnight.
MAILINGLIST_FORM_MAX_AGE = env_int("MAILINGLIST_FORM_MAX_AGE", 2 * 24 * 60 * 60)
# Site-wide: at most this many confirmation and link emails an hour, however many addresses ask.
MAILINGLIST_CONFIRMATIONS_PER_HOUR = env_int("MAILINGLIST_CONFIRMATIONS_PER_HOUR", 500)
# How many proxies append to X-Forwarded-For in front of the app; 0 trusts only REMOTE_ADDR.
NEWSROOM_TRUSTED_PROXY_COUNT = env_int("NEWSROOM_TRUSTED_PROXY_COUNT", 0)
# Lockouts count attempts per client address by the same rule as the signup limits (django-ipware is not installed,
# and without this axes would see only the proxy's address, letting anyone lock any editor out).
AXES_CLIENT_IP_CALLABLE = "newsroom.security.client_ip"

# Public site (website/): whole-page cache for anonymous readers, feeds, sitemaps, search.
# The page cache (newsroom/pagecache.py; which page carries which keys and what purges them: website/purges.py).
# Embedded engine: pages kept in the default cache. Behind Varnish (NEWSROOM_VARNISH_URLS) it keeps none itself, and
# purges go to Varnish as well.
# Varnish in front (deploy/varnish/newsroom.vcl, docs/deploy.md): the base URLs purges are sent to, e.g.
# "http://127.0.0.1:6081" (comma-separated, one per Varnish), and the seconds each purge request may take.
NEWSROOM_VARNISH_URLS = env_list("NEWSROOM_VARNISH_URLS", [])
NEWSROOM_VARNISH_TIMEOUT = env_float("NEWSROOM_VARNISH_TIMEOUT", 5.0)
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", not NEWSROOM_VARNISH_URLS)
# How long a shared cache may keep a page that nothing purges: long, since every change that matters purges it.
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 24 * 60 * 60)
NEWSROOM_PAGE_MAX_AGE = env_int("NEWSROOM_PAGE_MAX_AGE", 60)
NEWSROOM_PAGE_STALE_WHILE_REVALIDATE = env_int("NEWSROOM_PAGE_STALE_WHILE_REVALIDATE", 30)
NEWSROOM_PAGE_STALE_IF_ERROR = env_int("NEWSROOM_PAGE_STALE_IF_ERROR", 24 * 60 * 60)
# The query parameters public pages read; any other one is left out of a page's cache key. ``p``, ``cat``, ``tag``
# and ``author`` also make an imported WordPress site's old addresses (wpimport/addresses.py), which must not be
# answered with the cached home page.
NEWSROOM_PAGE_CACHE_QUERY_PARAMETERS = ["page", "p", "q", "category", "author", "since", "until", "after", "cat", "tag"]
NEWSROOM_PAGE_CACHE_EXCLUDE = [
    "/admin/",
    "/preview/",
    "/healthz",
    "/readyz",
    "/_bench/",
    "/newsletter/confirm/",
    "/newsletter/unsubscribe/",
    "/newsletter/preferences/",
    "/wire/",
]
# Requests past the page cache (searches, uncached pages, signups) working at once in one process, and on the whole
# machine; more are answered 503 with Retry-After at once (newsroom/overload.py). Keep the first below the threads per
# worker (GUNICORN_THREADS, 4), so a worker always has a thread for cheap requests. The second is shared by every
# process through lock files in NEWSROOM_BUSY_DIR (a local folder): twice the cores, since slow requests are mostly
# processor work here and in a PostgreSQL on the same machine (raise it when PostgreSQL has a machine of its own).
# 0 turns either off.
NEWSROOM_BUSY_LIMIT = env_int("NEWSROOM_BUSY_LIMIT", 3)
NEWSROOM_BUSY_MACHINE_LIMIT = env_int("NEWSROOM_BUSY_MACHINE_LIMIT", 2 * len(os.sched_getaffinity(0)))
NEWSROOM_BUSY_DIR = Path(env("NEWSROOM_BUSY_DIR", str(VAR_DIR / "busy")))
# Seconds a slow request may wait for a place on the machine before its 503: a burst of quick ones is served a moment
# later rather than turned away, and a request counts against its process's limit while it waits.
NEWSROOM_BUSY_WAIT = env_float("NEWSROOM_BUSY_WAIT", 0.5)
NEWSROOM_BUSY_RETRY_AFTER = env_int("NEWSROOM_BUSY_RETRY_AFTER", 5)
# /readyz reports the task queue as behind when its oldest ready task has waited longer than this (seconds).
NEWSROOM_TASK_BACKLOG_WARNING = env_int("NEWSROOM_TASK_BACKLOG_WARNING", 300)
NEWSROOM_FEED_SIZE = env_int("NEWSROOM_FEED_SIZE", 30)
NEWSROOM_LANGUAGE = env("NEWSROOM_LANGUAGE", "en")

# Images (photos/images.py). Uploads over these limits are refused before being decoded; the originals are kept in
# their own storage (STORAGES["originals"] above).
NEWSROOM_IMAGE_MAX_BYTES = env_int("NEWSROOM_IMAGE_MAX_BYTES", 20 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_int("NEWSROOM_IMAGE_MAX_PIXELS", 50_000_000)

# WordPress import (docs/import.md): the admin offers each folder in this one as a copy of a site's
# wp-content/uploads; nothing outside it is ever read from the admin (the command line takes any --uploads folder).
NEWSROOM_WORDPRESS_UPLOADS_ROOT = Path(env("NEWSROOM_WORDPRESS_UPLOADS_ROOT", str(VAR_DIR / "wordpress-uploads")))

# Newsletter sending (docs/sending.md). Times are in seconds.
NEWSLETTER_FROM_EMAIL = env("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_REPLY_TO = env("NEWSLETTER_REPLY_TO", "")
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 500)
# Messages per second per sending worker; 0 is no limit.
NEWSLETTER_RATE_LIMIT = float(env("NEWSLETTER_RATE_LIMIT", "0"))
# Read by the worker that sends (never by the web process that queues): a dead worker's rows are free after the
# lease, renewed every third of it while a batch works; the watchdog looks every half lease.
NEWSLETTER_LEASE_SECONDS = env_int("NEWSLETTER_LEASE_SECONDS", 30)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 5)
NEWSLETTER_RETRY_BACKOFF = env_int("NEWSLETTER_RETRY_BACKOFF", 60)
# The mail server away (refused, dropped, 421, a run of 4xx): every batch waits, first this long, doubling up to the
# maximum, which bounds how late sending resumes after the server is back.
NEWSLETTER_OUTAGE_BACKOFF = float(env("NEWSLETTER_OUTAGE_BACKOFF", "5"))
NEWSLETTER_OUTAGE_BACKOFF_MAX = float(env("NEWSLETTER_OUTAGE_BACKOFF_MAX", "30"))
NEWSLETTER_ARCHIVE_SIZE = env_int("NEWSLETTER_ARCHIVE_SIZE", 30)
# Off: on PostgreSQL each "sent" mark commits without waiting for the disk (several times faster; a database
# crash, not a worker crash, could then repeat the last fraction of a second of messages).
NEWSLETTER_DURABLE_MARKS = env_bool("NEWSLETTER_DURABLE_MARKS", True)
# Bounce and complaint webhooks (django-anymail): "user:password" that the provider's webhook URL carries.
ANYMAIL = {"WEBHOOK_SECRET": env("NEWSLETTER_WEBHOOK_SECRET", "")}
if env("POSTMARK_SERVER_TOKEN", ""):
    ANYMAIL["POSTMARK_SERVER_TOKEN"] = env("POSTMARK_SERVER_TOKEN", "")

# The wire desk (wire/, docs/editors.md "Wire desk"): agency feeds polled by the task worker, items pushed in.
# A fetch may take this many seconds in all, and read this many bytes, before it is given up as an error.
NEWSROOM_WIRE_TIMEOUT = env_float("NEWSROOM_WIRE_TIMEOUT", 20.0)
NEWSROOM_WIRE_MAX_BYTES = env_int("NEWSROOM_WIRE_MAX_BYTES", 10 * 1024 * 1024)
# After failures a channel is tried again later and later (doubling its interval), at most this many seconds apart.
NEWSROOM_WIRE_MAX_BACKOFF = env_int("NEWSROOM_WIRE_MAX_BACKOFF", 6 * 60 * 60)
# Channels of the "file" kind read feeds dropped into this folder (an agency's FTP drop, the demo feed) and nowhere
# else on the server.
NEWSROOM_WIRE_FILES_DIR = Path(env("NEWSROOM_WIRE_FILES_DIR", str(BASE_DIR / "wire" / "demo")))
# Off: a channel's address must lead to a public internet host, so no one can point a channel at the site's own
# database, cache or cloud metadata service. On: loopback and private networks are allowed too (an agency server on
# your own network; the tests).
NEWSROOM_WIRE_PRIVATE_ADDRESSES = env_bool("NEWSROOM_WIRE_PRIVATE_ADDRESSES", False)
