"""Environment-driven configuration.

Every setting that differs between machines comes from an environment
variable; the defaults are the embedded ones (SQLite in the instance folder,
embedded search, mail written to the instance folder).
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

from portal.core.validation import password_complexity

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    return database_url(os.environ.get("DATABASE_URL", "")) or f"sqlite:///{INSTANCE_DIR / 'portal.db'}"


def database_url(url: str) -> str:
    """A DATABASE_URL as SQLAlchemy takes it: postgres:// and postgresql:// use psycopg 3."""
    if url.startswith("postgres://"):  # Heroku-style scheme
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# The development default of SECRET_KEY; ProductionConfig refuses it (portal.create_app).
DEV_SECRET_KEY = "dev-only-change-me"


class Config:
    APP_NAME = "AlemTrust"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # create_app refuses to start without a strong SECRET_KEY (on in ProductionConfig)
    REQUIRE_STRONG_SECRET_KEY = False
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    INSTANCE_PATH = str(INSTANCE_DIR)
    # Private upload files (never under the web root); "" = <instance>/uploads/
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "")
    IMG_UPLOAD_FOLDER = ""  # FAB's image fields: <UPLOAD_FOLDER>/img/, set by create_app
    # Where uploaded files live (portal.core.storage): "local" (UPLOAD_FOLDER) or "s3" (any
    # S3-compatible object store; credentials from the environment as boto3 reads them,
    # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). Several app servers need "s3".
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET", "")
    STORAGE_S3_PREFIX = os.environ.get("STORAGE_S3_PREFIX", "")
    STORAGE_S3_ENDPOINT_URL = os.environ.get("STORAGE_S3_ENDPOINT_URL", "")  # "" = AWS
    STORAGE_S3_REGION = os.environ.get("STORAGE_S3_REGION", "")
    # Private downloads after the access check: "stream" through the portal, or "redirect"
    # to a presigned URL of the store valid for STORAGE_PRESIGN_SECONDS (s3 only)
    STORAGE_DOWNLOADS = os.environ.get("STORAGE_DOWNLOADS", "stream")
    STORAGE_PRESIGN_SECONDS = int(os.environ.get("STORAGE_PRESIGN_SECONDS", "60"))

    # Start-up behaviour
    AUTO_MIGRATE = _bool("PORTAL_AUTO_MIGRATE", True)
    LOAD_DEMO_DATA = _bool("PORTAL_DEMO_DATA", True)
    ADMIN_EMAIL = os.environ.get("PORTAL_ADMIN_EMAIL", "admin@alemtrust.kz")
    ADMIN_PASSWORD = os.environ.get("PORTAL_ADMIN_PASSWORD", "")

    # Search: Elasticsearch when ELASTICSEARCH_URL is set, else the embedded
    # tantivy index in SEARCH_INDEX_PATH (default instance/search; ":memory:" in tests)
    ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
    ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "5"))
    SEARCH_INDEX_NAME = os.environ.get("SEARCH_INDEX_NAME", "alemtrust-profiles")
    SEARCH_INDEX_PATH = os.environ.get("SEARCH_INDEX_PATH", "")
    ELASTICSEARCH_NODE_CLASS = None  # the client's HTTP node class (None: its default)
    # "inline": apply the search outbox right after each commit (development);
    # "worker": leave it to `flask search worker` (production)
    SEARCH_SYNC = os.environ.get("SEARCH_SYNC", "inline")

    # Mail: without MAIL_SERVER mails are written to instance/mail/
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "AlemTrust <noreply@alemtrust.kz>")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))  # seconds per SMTP connection
    MAIL_MAX_ATTEMPTS = 8  # then the outbox row is marked failed (retries back off 2, 4, 8 … 300 min)

    # Notifications: links in emails are PORTAL_BASE_URL + path. "inline": send the
    # mail outbox right after each commit (development); "worker": leave it to
    # `flask notify worker` (production). New-request emails are batched into one
    # digest per NOTIFY_DIGEST_MINUTES.
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000")
    NOTIFY_SYNC = os.environ.get("NOTIFY_SYNC", "inline")
    NOTIFY_DIGEST_MINUTES = int(os.environ.get("NOTIFY_DIGEST_MINUTES", "15"))
    # Web Push (services.notifications.push): the VAPID key pair (base64url, as printed by
    # `flask portal vapid-keys`); without both keys push is off (the settings page says so).
    # The subject is a mailto: or https: contact for push services. Messages wait at the push
    # service up to PUSH_TTL seconds for an offline device; a failed POST is retried with
    # back-off (30 s, 1, 2, 4 … min) up to PUSH_MAX_ATTEMPTS times. PUSH_ALLOW_HTTP_LOOPBACK
    # accepts http://127.0.0.1/localhost endpoints (a local test push service; always in TESTING).
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:" + os.environ.get("SUPPORT_EMAIL", "support@alemtrust.kz"))
    PUSH_TTL = int(os.environ.get("PUSH_TTL", "86400"))
    PUSH_TIMEOUT = float(os.environ.get("PUSH_TIMEOUT", "10"))
    PUSH_MAX_ATTEMPTS = int(os.environ.get("PUSH_MAX_ATTEMPTS", "8"))
    PUSH_MAX_SUBSCRIPTIONS = int(os.environ.get("PUSH_MAX_SUBSCRIPTIONS", "20"))  # per user; the oldest goes
    PUSH_ALLOW_HTTP_LOOPBACK = _bool("PUSH_ALLOW_HTTP_LOOPBACK", False)
    # The support contacts the user agreement names (clauses 5.6 and 12.1, filled in when the
    # page is shown). SUPPORT_URL empty: this portal's support page (PORTAL_BASE_URL + /support/).
    SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "support@alemtrust.kz")
    SUPPORT_URL = os.environ.get("SUPPORT_URL", "")

    # Flask-AppBuilder
    AUTH_TYPE = AUTH_DB
    FAB_SECURITY_MANAGER_CLASS = "portal.security.PortalSecurityManager"
    FAB_INDEX_VIEW = "portal.views.catalog.home.HomeView"
    FAB_CREATE_DB = False  # the schema belongs to Alembic migrations
    FAB_UPDATE_PERMS = True
    FAB_API_SWAGGER_UI = True
    FAB_ADD_SECURITY_PERMISSION_VIEW = True
    AUTH_USER_REGISTRATION = True
    AUTH_USER_REGISTRATION_ROLE = "Client"
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    RECAPTCHA_ENABLED = False
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(password_complexity)
    FAB_PASSWORD_HASH_METHOD = "scrypt"
    FAB_PASSWORD_HASH_SALT_LENGTH = 16
    # Login limits (portal/core/login_limits.py) count FAILED password checks on every path
    # (web form, API login, "Change password"): per client IP, per account from unknown
    # devices, and per known device (a device that signed in to the account before).
    AUTH_RATE_LIMITED = False  # FAB's own per-IP limit counted successes too; the portal's guard replaces it
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "20 per 5 minute")  # failures only (core.login_limits)
    AUTH_DEVICE_RATE_LIMIT = os.environ.get("AUTH_DEVICE_RATE_LIMIT", "10 per 15 minute")
    # API tokens (flask-jwt-extended through FAB): short-lived access tokens; refresh tokens are
    # stored hashed on their session row, rotated at each use and revocable
    JWT_ACCESS_TOKEN_EXPIRES = dt.timedelta(minutes=int(os.environ.get("API_ACCESS_TOKEN_MINUTES", "15")))
    JWT_REFRESH_TOKEN_EXPIRES = dt.timedelta(days=int(os.environ.get("API_REFRESH_TOKEN_DAYS", "30")))
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")  # several portals on one Redis
    # Failed logins per account (submitted email), from any IP; AUTH_RATE_LIMIT is per IP
    AUTH_ACCOUNT_RATE_LIMIT = os.environ.get("AUTH_ACCOUNT_RATE_LIMIT", "10 per 15 minute")
    # Password reset by email: link lifetime; requests per IP and per email address
    PASSWORD_RESET_TTL_MINUTES = int(os.environ.get("PASSWORD_RESET_TTL_MINUTES", "60"))
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per 15 minute")
    # Per account (portal.core.limits): support messages sent, complaints filed, attempts to close
    # the account (each checks the password), "Download my data" downloads
    SUPPORT_MESSAGE_RATE_LIMIT = os.environ.get("SUPPORT_MESSAGE_RATE_LIMIT", "30 per hour")
    COMPLAINT_RATE_LIMIT = os.environ.get("COMPLAINT_RATE_LIMIT", "10 per hour")
    ACCOUNT_CLOSE_RATE_LIMIT = os.environ.get("ACCOUNT_CLOSE_RATE_LIMIT", "5 per 15 minute")
    DATA_EXPORT_RATE_LIMIT = os.environ.get("DATA_EXPORT_RATE_LIMIT", "10 per hour")
    # Registration POSTs per client IP: the form says when an email is already in use, so
    # probing which emails have accounts is slowed down (portal/views/accounts/registration_limits.py)
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "10 per hour")
    # Visitors' feedback form: accepted submissions per client IP
    SUPPORT_FEEDBACK_RATE_LIMIT = os.environ.get("SUPPORT_FEEDBACK_RATE_LIMIT", "5 per hour")
    # Staff signal: successful logins from >= SIGNAL_IP_THRESHOLD distinct IPs or devices
    # within SIGNAL_IP_WINDOW_HOURS
    SIGNAL_IP_THRESHOLD = int(os.environ.get("SIGNAL_IP_THRESHOLD", "5"))
    SIGNAL_IP_WINDOW_HOURS = int(os.environ.get("SIGNAL_IP_WINDOW_HOURS", "24"))
    # Reverse proxies in front of the app (X-Forwarded-For/-Proto hops to trust; 0 = none)
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Strict-Transport-Security header (on in ProductionConfig)
    SECURITY_HSTS = _bool("SECURITY_HSTS", False)
    SECURITY_HSTS_MAX_AGE = int(os.environ.get("SECURITY_HSTS_MAX_AGE", "31536000"))
    FAB_ROLES: dict = {}  # filled by portal.security.ROLES at app creation

    # Localization
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "portal" / "translations")
    LANGUAGES = {
        "kk": {"flag": "kz", "name": "Қазақша"},
        "ru": {"flag": "ru", "name": "Русский"},
        "en": {"flag": "gb", "name": "English"},
    }
    LANGUAGE_COOKIE = "portal_lang"

    # Forms and sessions
    WTF_CSRF_ENABLED = True
    WTF_I18N_ENABLED = True
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PROPAGATE_EXCEPTIONS = None  # Flask's default: raise in testing/debug, else the 500 page
    PUBLIC_PAGE_SIZE = 12

    # Speed of the public site (portal/core/page_cache.py, static_files.py, images.py).
    # Redis for the page cache (and the rate limits); "" = in-process page cache
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Anonymous GETs of public pages (home, search, categories, profiles, agreement) are kept
    # in the page cache this many seconds; dropped earlier when the search outbox applies a change
    PAGE_CACHE_ENABLED = _bool("PAGE_CACHE", True)
    PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "300"))
    PAGE_CACHE_THRESHOLD = int(os.environ.get("PAGE_CACHE_THRESHOLD", "1000"))  # in-process: pages kept
    PAGE_CACHE_KEY_PREFIX = os.environ.get("PAGE_CACHE_KEY_PREFIX", "alemtrust:page:")  # several portals on one Redis
    # Cache-Control max-age of those pages for browsers and shared proxy caches
    PUBLIC_PAGE_MAX_AGE = int(os.environ.get("PUBLIC_PAGE_MAX_AGE", "60"))
    # Static files: a year (immutable) under a URL with their content hash (static_url()),
    # else this many seconds
    STATIC_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", "3600"))
    # Flask-Compress: brotli, else gzip, for HTML, CSS, JS, JSON and SVG
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]  # static files
    COMPRESS_STREAMING_ENDPOINT_CONDITIONAL = ["static", "appbuilder.static"]  # ETag + 304 on them
    # Widths (px) of the practitioner photo variants made at upload (WebP, next to the original)
    PHOTO_WIDTHS = (96, 240, 480)

    # Requests, offers, reviews and attachments
    REQUEST_TTL_DAYS = int(os.environ.get("REQUEST_TTL_DAYS", "30"))  # open requests expire after this
    REVIEW_EDIT_HOURS = int(os.environ.get("REVIEW_EDIT_HOURS", "48"))
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "5")) * 1024 * 1024
    ATTACHMENT_MAX_COUNT = int(os.environ.get("ATTACHMENT_MAX_COUNT", "5"))
    # a whole request body: every file of one form at its largest, plus the form's fields
    # (deploy/nginx/alemtrust.conf allows 30 MB: keep client_max_body_size above this)
    MAX_CONTENT_LENGTH = ATTACHMENT_MAX_BYTES * ATTACHMENT_MAX_COUNT + 2 * 1024 * 1024
    # A visitor's request written before signing in (services.exchange.pending) is kept this
    # many hours for them to sign in or register; anonymous submissions per IP are limited
    PENDING_REQUEST_TTL_HOURS = int(os.environ.get("PENDING_REQUEST_TTL_HOURS", "24"))
    PENDING_REQUEST_RATE_LIMIT = os.environ.get("PENDING_REQUEST_RATE_LIMIT", "10 per hour")
    # Upload files no row refers to (the process died between writing the file and the
    # commit) are deleted once older than this many minutes: by `flask portal cleanup-uploads`
    # and hourly by the worker (`flask notify worker`). The grace period must exceed the
    # longest upload transaction, so a file whose row is about to be committed is kept.
    UPLOAD_ORPHAN_GRACE_MINUTES = int(os.environ.get("UPLOAD_ORPHAN_GRACE_MINUTES", "60"))

    # Complaints (agreement 11.4c): staff see accounts with at least this many
    # complaints (not dismissed) in the last COMPLAINT_SIGNAL_DAYS days
    COMPLAINT_SIGNAL_THRESHOLD = int(os.environ.get("COMPLAINT_SIGNAL_THRESHOLD", "3"))
    COMPLAINT_SIGNAL_DAYS = int(os.environ.get("COMPLAINT_SIGNAL_DAYS", "30"))

    # The agreement quiz of practitioner applicants (agreement 6.2)
    QUIZ_QUESTIONS = int(os.environ.get("QUIZ_QUESTIONS", "10"))        # drawn per attempt
    QUIZ_PASS_PERCENT = int(os.environ.get("QUIZ_PASS_PERCENT", "80"))  # pass mark
    QUIZ_MAX_ATTEMPTS = int(os.environ.get("QUIZ_MAX_ATTEMPTS", "3"))   # failed attempts per application
    QUIZ_COOLDOWN_HOURS = int(os.environ.get("QUIZ_COOLDOWN_HOURS", "24"))  # wait after a failed attempt

    # Search engines (portal/views/catalog/seo.py): <url> entries per sitemap file (the protocol's
    # limit is 50,000), and how many of the best rated practitioners a landing page shows
    SITEMAP_MAX_URLS = int(os.environ.get("SITEMAP_MAX_URLS", "50000"))
    LANDING_TOP = int(os.environ.get("LANDING_TOP", "12"))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-of-at-least-32-bytes-for-hs256"
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # tests/conftest.py points this at a temp file or PostgreSQL
    LOAD_DEMO_DATA = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = ""  # a test that wants Redis sets it on its own app
    PAGE_CACHE_ENABLED = False  # tests/core/test_caching.py switches it on
    ADMIN_PASSWORD = "Admin-pass-1"
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing for tests
    SEARCH_INDEX_PATH = ":memory:"
    SEARCH_SYNC = "inline"
    NOTIFY_SYNC = "inline"
    # The test app always uses the embedded index; tests that need Elasticsearch
    # build their own backend from ELASTICSEARCH_URL (tests/search_servers.py).
    ELASTICSEARCH_URL = ""


class ProductionConfig(Config):
    # No default: the app refuses to start without a strong key (portal.check_secret_key)
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    REQUIRE_STRONG_SECRET_KEY = True
    LOAD_DEMO_DATA = False  # never demo data in production
    AUTO_MIGRATE = _bool("PORTAL_AUTO_MIGRATE", False)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SECURITY_HSTS = _bool("SECURITY_HSTS", True)
    PREFERRED_URL_SCHEME = "https"
    SEARCH_SYNC = os.environ.get("SEARCH_SYNC", "worker")
    NOTIFY_SYNC = os.environ.get("NOTIFY_SYNC", "worker")
