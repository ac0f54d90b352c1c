"""Newsroom settings, read from the environment (twelve-factor). See README.md for every variable."""

from pathlib import Path

import dj_database_url
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

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "taggit",
    "reversion",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "newsroom",
    "articles",
    "mailinglist",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "newsroom.context_processors.site",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the task worker run alongside a writer; IMMEDIATE avoids
        # "database is locked" on lock upgrades inside transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache shared by every process on the machine (rate limits and page caches must hold across
# gunicorn workers); Redis when REDIS_URL is set.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("NEWSROOM_CACHE_DIR", str(VAR_DIR / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# Rendered fragments of pages (listing items), keyed by the content version, in each process's own memory: they are
# small, hot and cheap to remake, and a network round trip would cost about what rendering one does.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "newsroom-fragments",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": env_int("NEWSROOM_FRAGMENT_CACHE_ENTRIES", 20_000)},
}

TASKS = {
    "default": {
        "BACKEND": env("NEWSROOM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email", "images"],
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
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

DJANGO_PROSE_EDITOR_MENU_GROUPS = None  # the library's default menu

TAGGIT_CASE_INSENSITIVE = True

NEWSROOM_PAGE_SIZE = env_int("NEWSROOM_PAGE_SIZE", 20)
# Adds /_bench/baseline, the trivial view bench/run measures everything against. Never set in production.
NEWSROOM_BENCH = env_bool("NEWSROOM_BENCH", False)

# --- Security hardening (docs/security.md) ---------------------------------------------------------------
from datetime import timedelta  # noqa: E402

from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "newsroom.admin_config.NewsroomAdminConfig"
INSTALLED_APPS += ["csp", "axes", "django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "newsroom.security.CSPMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
# Axes must be last: it turns a lockout raised anywhere in the stack into its lockout page.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
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
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# Staff in these groups must use a TOTP device to enter the admin (e.g. "Editor"); others may opt in.
NEWSROOM_2FA_REQUIRED_GROUPS = env_list("NEWSROOM_2FA_REQUIRED_GROUPS", [])
OTP_TOTP_ISSUER = SITE_NAME

# Mailing list (see docs/mailinglist.md). Times are in seconds.
MAILINGLIST_CONFIRM_MAX_AGE = env_int("MAILINGLIST_CONFIRM_MAX_AGE", 7 * 24 * 60 * 60)
MAILINGLIST_PREFERENCES_MAX_AGE = env_int("MAILINGLIST_PREFERENCES_MAX_AGE", 90 * 24 * 60 * 60)
MAILINGLIST_NOTICE_INTERVAL = env_int("MAILINGLIST_NOTICE_INTERVAL", 60 * 60)
MAILINGLIST_SIGNUPS_PER_IP = env_int("MAILINGLIST_SIGNUPS_PER_IP", 20)
MAILINGLIST_SIGNUPS_PER_ADDRESS = env_int("MAILINGLIST_SIGNUPS_PER_ADDRESS", 5)
MAILINGLIST_RATE_WINDOW = env_int("MAILINGLIST_RATE_WINDOW", 60 * 60)
MAILINGLIST_MIN_FILL_SECONDS = env_int("MAILINGLIST_MIN_FILL_SECONDS", 3)
# How many proxies append to X-Forwarded-For in front of the app; 0 trusts only REMOTE_ADDR.
NEWSROOM_TRUSTED_PROXY_COUNT = env_int("NEWSROOM_TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = NEWSROOM_TRUSTED_PROXY_COUNT or None

# Public site: whole-page cache for anonymous readers (newsroom/pagecache.py), feeds, sitemaps, search.
INSTALLED_APPS += ["django.contrib.sitemaps"]
# The page cache sits after the middleware every response needs (security headers, CSP, the CSRF cookie its pages'
# tokens are made from, X-Frame-Options) and before the rest: a hit is served without sessions, authentication, OTP,
# messages or lockout checks, which an anonymous reader's cached page never needs (a request with a session or
# messages cookie is passed through, see newsroom/pagecache.py).
MIDDLEWARE.remove("django.middleware.csrf.CsrfViewMiddleware")
MIDDLEWARE.remove("django.middleware.clickjacking.XFrameOptionsMiddleware")
MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") : 0] = [
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.pagecache.PageCacheMiddleware",
]
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", True)
NEWSROOM_PAGE_CACHE_ALIAS = "default"
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 600)
NEWSROOM_PAGE_MAX_AGE = env_int("NEWSROOM_PAGE_MAX_AGE", 60)
NEWSROOM_PAGE_STALE_WHILE_REVALIDATE = env_int("NEWSROOM_PAGE_STALE_WHILE_REVALIDATE", 30)
# Each worker re-reads the content version this often and keeps its recently served pages in memory up to this size
# (newsroom/pagecache.py): a hot page costs no network round trip, an edit reaches other workers within the interval.
NEWSROOM_PAGE_CACHE_VERSION_SECONDS = env_float("NEWSROOM_PAGE_CACHE_VERSION_SECONDS", 1.0)
NEWSROOM_PAGE_CACHE_LOCAL_BYTES = env_int("NEWSROOM_PAGE_CACHE_LOCAL_BYTES", 16 * 1024 * 1024)
# Saving or deleting any model of these apps (or "app.Model" labels) invalidates every cached page.
NEWSROOM_PAGE_CACHE_CONTENT_APPS = ["articles", "taggit", "mailinglist.MailingList"]
NEWSROOM_PAGE_CACHE_EXCLUDE = [
    "/admin/",
    "/preview/",
    "/healthz",
    "/_bench/",
    "/newsletter/confirm/",
    "/newsletter/unsubscribe/",
    "/newsletter/preferences/",
]
NEWSROOM_FEED_SIZE = env_int("NEWSROOM_FEED_SIZE", 30)
NEWSROOM_LANGUAGE = env("NEWSROOM_LANGUAGE", "en")

# Images (articles/images.py). Uploads over these limits are refused before being decoded; the originals
# are kept in their own storage, which has no public URL (S3: point "originals" at a private bucket).
NEWSROOM_IMAGE_MAX_BYTES = env_int("NEWSROOM_IMAGE_MAX_BYTES", 20 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_int("NEWSROOM_IMAGE_MAX_PIXELS", 50_000_000)
STORAGES["originals"] = {
    "BACKEND": "articles.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": env("NEWSROOM_ORIGINALS_ROOT", str(VAR_DIR / "originals"))},
}

# Newsletter sending (docs/sending.md). Times are in seconds.
NEWSLETTER_FROM_EMAIL = env("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_REPLY_TO = env("NEWSLETTER_REPLY_TO", "")
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 500)
# Messages per second per sending worker; 0 is no limit.
NEWSLETTER_RATE_LIMIT = float(env("NEWSLETTER_RATE_LIMIT", "0"))
NEWSLETTER_LEASE_SECONDS = env_int("NEWSLETTER_LEASE_SECONDS", 600)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 5)
NEWSLETTER_RETRY_BACKOFF = env_int("NEWSLETTER_RETRY_BACKOFF", 60)
NEWSLETTER_ARCHIVE_SIZE = env_int("NEWSLETTER_ARCHIVE_SIZE", 30)
# Off: on PostgreSQL each "sent" mark commits without waiting for the disk (several times faster; a database
# crash, not a worker crash, could then repeat the last fraction of a second of messages).
NEWSLETTER_DURABLE_MARKS = env_bool("NEWSLETTER_DURABLE_MARKS", True)
NEWSROOM_PAGE_CACHE_CONTENT_APPS += ["mailinglist.Issue"]
# Bounce and complaint webhooks (django-anymail): "user:password" that the provider's webhook URL carries.
INSTALLED_APPS += ["anymail"]
ANYMAIL = {"WEBHOOK_SECRET": env("NEWSLETTER_WEBHOOK_SECRET", "")}
if env("POSTMARK_SERVER_TOKEN", ""):
    ANYMAIL["POSTMARK_SERVER_TOKEN"] = env("POSTMARK_SERVER_TOKEN", "")

# Varnish in front (deploy/varnish/newsroom.vcl, docs/deploy.md): the base URLs that purges are sent to, e.g.
# "http://127.0.0.1:6081" (comma-separated, one per Varnish); none when no Varnish runs. NEWSROOM_VARNISH_TIMEOUT
# is the seconds each purge request may take.
NEWSROOM_VARNISH_URLS = env_list("NEWSROOM_VARNISH_URLS", [])
NEWSROOM_VARNISH_TIMEOUT = env_float("NEWSROOM_VARNISH_TIMEOUT", 5.0)
