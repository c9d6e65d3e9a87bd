"""Settings for Intercessors, read from the environment.

Secure by default: debug is off unless DJANGO_DEBUG=1, and production refuses
to start without a secret key. `.env.example` lists every variable.
"""
import hashlib
import os
import re
import secrets
import sys
import tempfile
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from library.web.errors import git_commit, init_errors
from library.web.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    """An environment variable; set but empty counts as unset."""
    return os.environ.get(name, "").strip() or default


def env_bool(name, default=False):
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env("DJANGO_SECRET_KEY")
# `manage.py makemigrations` only compares models with migrations; it serves and
# signs nothing, so it may run without the production secret.
_ONLY_INSPECTS_MODELS = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] == [
    "makemigrations"
]
if not SECRET_KEY:
    if not DEBUG and not _ONLY_INSPECTS_MODELS:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG not 1) needs a "
            "long random secret key, e.g. from: python -c \"import secrets; "
            "print(secrets.token_urlsafe(50))\". For local development set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-1"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
# The public address for links that leave the site (canonical URLs, feeds,
# mail). Without SITE_URL, production uses the first allowed host.
SITE_URL = env(
    "SITE_URL",
    f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0]}"
    if ALLOWED_HOSTS and not DEBUG
    else "http://127.0.0.1:8000",
).rstrip("/")
SITE_NAME = "Intercessors"

# The ministry behind the site; deployers set their own name and tax notice.
MINISTRY_NAME = env("MINISTRY_NAME", "Intercessors Prayer Ministry")
MINISTRY_TAX_NOTICE = env(
    "MINISTRY_TAX_NOTICE",
    f"{MINISTRY_NAME} is a 501(c)(3) nonprofit organization. Gifts are tax-deductible "
    "to the extent allowed by law.",
)

# Monthly partners: who hears of a new pledge, and where partners go to give
# (the site itself never takes card details).
PARTNER_NOTIFY_EMAIL = env("PARTNER_NOTIFY_EMAIL")
# Members' prayer requests appear at once unless this is on: then staff approve
# each one first (requests with links are always held).
PRAYER_REQUESTS_REVIEW = env_bool("PRAYER_REQUESTS_REVIEW")
# Members' prayers for a leader wait for staff before anyone sees them, unless this
# is off (those with links are held either way).
LEADER_PRAYERS_REVIEW = env_bool("LEADER_PRAYERS_REVIEW", True)
PARTNER_CHECKOUT_URL = env("PARTNER_CHECKOUT_URL")
# Online giving through Stripe (partners.giving): on when both keys are set. Gifts
# are recorded only from the signed events Stripe sends to /partner/stripe/webhook/.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
# Seconds to wait for Stripe before telling the partner it is away.
STRIPE_TIMEOUT = float(env("STRIPE_TIMEOUT", "10"))
# Where Stripe's pages live, for the pages whose forms lead there (Content-Security-Policy).
STRIPE_PAGE_ORIGINS = env_list("STRIPE_PAGE_ORIGINS",
                               "https://checkout.stripe.com,https://billing.stripe.com")
# What a tax receipt names: the ministry's legal name and its EIN.
MINISTRY_LEGAL_NAME = env("MINISTRY_LEGAL_NAME", MINISTRY_NAME)
MINISTRY_EIN = env("MINISTRY_EIN")
# Prayer calls and gatherings (events): the largest recording staff may upload, and the
# hosts whose players an event's page may embed (its stream link otherwise is a link).
EVENT_RECORDING_MAX_BYTES = int(env("EVENT_RECORDING_MAX_BYTES", str(200 * 1024 * 1024)))
EVENT_EMBED_HOSTS = env_list("EVENT_EMBED_HOSTS")
# Tests only: the reminder job reads "now" from the database cache (events.clock), so
# a test can move the time a worker sees. Never set in production.
EVENTS_TEST_CLOCK = env_bool("EVENTS_TEST_CLOCK")
# Bulk mail (prayer updates) offers an unsubscribe link always, and this mailbox
# too when set (List-Unsubscribe).
UNSUBSCRIBE_MAILTO = env("UNSUBSCRIBE_MAILTO")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "csp",
    "anymail",
    # Ours, from the top layer down (docs/architecture.md).
    "intercessors",
    "accounts",
    "updates",
    "events",
    "partners",
    "leaders",
    "articles",
    "states",
    "prayers",
    "comments",
    "library",
    # After library, whose `qcluster` (a worker that stops in order on SIGTERM to
    # all its processes) takes the place of Django-Q2's own.
    "django_q",
]

MIDDLEWARE = [
    # First, so that every response carries the request's id and every request,
    # redirected or refused by those below, has its log line.
    "library.web.middleware.RequestIdMiddleware",
    # Before the host check and the HTTPS redirect: load balancers ask each server
    # by its own address.
    "library.web.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Fills in each reader's parts of a page (library.pages.parts): below the
    # messages and CSRF middleware, which then see the messages shown and the
    # token used; above any that renders a page of its own.
    "library.pages.parts.PartsMiddleware",
    "library.web.middleware.FriendlyMethodNotAllowedMiddleware",
    "library.web.middleware.PrivatePagesMiddleware",
    "prayers.middleware.PendingPrayerMiddleware",
]

ROOT_URLCONF = "intercessors.urls"
WSGI_APPLICATION = "intercessors.wsgi.application"

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
                "intercessors.context_processors.site",
                # `{% csrf_token %}` prints a part, filled per reader (library.pages.parts).
                "library.pages.parts.csrf_context",
            ],
        },
    },
]

# Database: DATABASE_URL, always in production. Unset, development (DJANGO_DEBUG=1)
# uses an SQLite file in the project; production refuses to start rather than
# give each server a database of its own. A one-machine site on SQLite says so:
# DATABASE_URL=sqlite:////srv/intercessors/db.sqlite3.
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    if not DEBUG and not _ONLY_INSPECTS_MODELS:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Production (DJANGO_DEBUG not 1) needs the address "
            "of its database, the same on every server, e.g. "
            "postgres://intercessors:PASSWORD@db.internal:5432/intercessors. A site on "
            "one machine may name an SQLite file; the one used when no address was "
            f"needed is sqlite:///{BASE_DIR / 'db.sqlite3'}. "
            "For local development set DJANGO_DEBUG=1."
        )
    DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
if (DATABASE_URL.lower().startswith("sqlite:") and not DEBUG
        and urlsplit(DATABASE_URL).path.strip("/") in {"", ":memory:"}):
    # dj-database-url reads sqlite:// as a database in memory: one per process, empty.
    raise ImproperlyConfigured(
        f"DATABASE_URL {DATABASE_URL!r} names a database in memory, a new empty one for "
        "each process. Name a file: sqlite:////srv/intercessors/db.sqlite3.")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode (docs/deploy.md), each transaction may run on
# another server connection: no server-side cursors, which outlive a transaction.
# The site keeps no other state in a connection between transactions (no
# advisory locks, prepared statements or session settings; time zone included,
# which PgBouncer carries over).
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING")
if DATABASE_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The site and the job worker write to one file at once. WAL lets readers go on
    # while one writes; every transaction takes the write lock as it begins, so two
    # writers queue (for up to `timeout` seconds) instead of one failing halfway
    # with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Whole pages for anonymous readers, kept until a write changes the site.
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", default=True)
# "N people have read this" on posts, counted by a tiny image on the post page
# (articles.reads); off removes the image and the counting.
READ_COUNTS = env_bool("DJANGO_READ_COUNTS", default=True)

# Caches (library/caches.py). `default`, a database table nothing evicts
# from, holds allauth's log-in limits and the page cache's version; pages and
# threads are kept apart in `pages`: a file every worker of this server shares
# (PAGE_CACHE_DIR, bounded), or a Redis of their own shared by every server
# (PAGE_CACHE_URL, set to evict least-recently-used keys). With REDIS_URL, rate
# limits count in that Redis (set it not to evict); without it, or while it is
# down, in their own database table.
REDIS_URL = env("REDIS_URL")
PAGE_CACHE_URL = env("PAGE_CACHE_URL")
# A folder of this site's own on this server's disk (made if missing, mode 0700);
# by default one in the system's temporary folder, named after the project's path.
PAGE_CACHE_DIR = env("PAGE_CACHE_DIR") or os.path.join(
    tempfile.gettempdir(),
    f"intercessors-pages-{os.getuid()}-{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]}")


def cache_settings(*, page_cache_dir, redis_url="", page_cache_url=""):
    caches = {
        "default": {
            "BACKEND": "library.caches.DurableDatabaseCache",
            "LOCATION": "django_cache",
            # Above this many entries, each write first sweeps the expired ones.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
        "pages": {
            "BACKEND": "library.caches.ResilientRedisCache",
            "LOCATION": page_cache_url,
        }
        if page_cache_url
        else {
            "BACKEND": "library.caches.ServerStore",
            "LOCATION": page_cache_dir,
            # The oldest renders give way past either bound.
            "OPTIONS": {"MAX_ENTRIES": 5_000, "MAX_BYTES": 256 * 1024 * 1024},
        },
        # Who has read which post today, as salted hashes, when there is no Redis to
        # count in (articles.reads): a file of its own beside the pages, so that a
        # day's readers never push a render out, nor wait for one to be written.
        "readers": {
            "BACKEND": "library.caches.ServerStore",
            "LOCATION": os.path.join(page_cache_dir, "readers"),
            "OPTIONS": {"MAX_ENTRIES": 1_000_000, "MAX_BYTES": 256 * 1024 * 1024,
                        # A reader the store cannot check is not counted.
                        "ADDED_WHEN_UNAVAILABLE": False},
        },
    }
    if redis_url:
        caches["counters"] = {
            "BACKEND": "library.caches.ResilientRedisCache",
            "LOCATION": redis_url,
        }
    return caches


CACHES = cache_settings(redis_url=REDIS_URL, page_cache_url=PAGE_CACHE_URL,
                        page_cache_dir=PAGE_CACHE_DIR)

# Sessions live in the database: they survive a cache outage, and none that was
# ended or changed while a cache was away can come back from it.
SESSION_ENGINE = "library.web.sessions"
# Messages ride in a signed cookie only: Django's default spills them into a new
# session row once the cookie is full, which readers who are not logged in could
# repeat without end. The oldest messages give way instead.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

AUTH_USER_MODEL = "accounts.User"
# The email address that identifies a member is unique among live accounts by a
# constraint on addresses that are set (accounts.User); Django's check wants the
# whole column unique, which deleted accounts' empty addresses cannot be.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = [
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

# django-allauth: email-only accounts with mandatory verification.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_USER_DISPLAY = "accounts.models.public_name"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# A stolen session alone cannot take the account: changing addresses or the
# password asks for the password again (re-authentication lasts 5 minutes), the
# old address hears of every change, and an account holds at most two addresses.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# Email. Every mail, the site's own and those Django and allauth send, is recorded in
# the outbox (EMAIL_BACKEND) and handed over by the job worker through
# OUTBOX_DELIVERY_BACKEND: SMTP (EMAIL_URL or EMAIL_HOST), a mail provider's API
# (MAIL_PROVIDER), or else files in DEV_MAIL_DIR in development and the console in
# production.
EMAIL_BACKEND = "library.mail.backends.OutboxBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Intercessors <hello@intercessors.example>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Where the contact page's letters go (with the reader's address as Reply-To):
# by default the address the site's mail comes from.
CONTACT_EMAIL = env("CONTACT_EMAIL") or parseaddr(DEFAULT_FROM_EMAIL)[1]


def email_settings(url):
    """Translate smtp://user:pass@host:port (smtp+tls, smtp+ssl, console) into settings."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"OUTBOX_DELIVERY_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme not in {"smtp", "smtp+tls", "smtps", "smtp+ssl"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not supported: "
            "use smtp, smtp+tls, smtp+ssl or console."
        )
    options = parse_qs(parts.query)
    use_ssl = scheme in {"smtps", "smtp+ssl"} or options.get("ssl") == ["1"]
    use_tls = scheme == "smtp+tls" or options.get("tls") == ["1"]
    return {
        "OUTBOX_DELIVERY_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


if env("EMAIL_URL"):
    globals().update(email_settings(env("EMAIL_URL")))
elif env("EMAIL_HOST"):
    OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
else:
    # In development each mail is kept as a file (library.mail.folder); in
    # production without a mail server, printed.
    OUTBOX_DELIVERY_BACKEND = ("library.mail.folder.EmailBackend" if DEBUG
                               else "django.core.mail.backends.console.EmailBackend")
DEV_MAIL_DIR = BASE_DIR / env("DEV_MAIL_DIR", "var/mail")
EMAIL_TIMEOUT = 10
# A mail provider's API instead (django-anymail): MAIL_PROVIDER is its backend's name
# ("amazon_ses", "postmark", "mailgun", "sendgrid", …), and its settings come from
# ANYMAIL_* variables (ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_WEBHOOK_SECRET, …).
# Its tracking webhook (/mail/events/<provider>/tracking/) reports bounces and
# complaints, and those addresses get no more bulk mail.
MAIL_PROVIDER = env("MAIL_PROVIDER")
if MAIL_PROVIDER:
    OUTBOX_DELIVERY_BACKEND = f"anymail.backends.{MAIL_PROVIDER}.EmailBackend"
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items()
           if key.startswith("ANYMAIL_") and value}
# Unset, Mailgun's webhook must not check signatures against a key anyone can guess.
ANYMAIL.setdefault("MAILGUN_WEBHOOK_SIGNING_KEY", secrets.token_hex(32))

# Background jobs run on Django-Q2 (docs/architecture.md). Its queue is a table in
# this database, so no other server is needed, and workers on several machines
# share it. `make worker` (or `manage.py qcluster`) runs a worker.
Q_CLUSTER = {
    "name": "intercessors",
    "orm": "default",
    "workers": int(env("JOBS_WORKERS", "2")),
    # A job running longer than `timeout` seconds is stopped; one not acknowledged
    # within `retry` seconds (its worker died, or it failed) is handed out again,
    # up to `max_attempts` times in all.
    "timeout": int(env("JOBS_TIMEOUT", "120")),
    "retry": int(env("JOBS_RETRY", "180")),
    "max_attempts": int(env("JOBS_MAX_ATTEMPTS", "5")),
    "ack_failures": False,
    # How often an idle worker looks for work, in seconds.
    "poll": float(env("JOBS_POLL", "0.5")),
    "save_limit": 500,
    "catch_up": False,
    "label": "Background jobs",
}
# A worker asked to stop (SIGTERM) lets its jobs finish, or stop at a safe point, for
# this many seconds, then gives back to the queue those still running, for another
# worker at once (library.cluster); it is gone within 10 s whatever happens.
JOBS_STOP_GRACE = float(env("JOBS_STOP_GRACE", "5"))
# A monitor's address (healthchecks.io and the like) a job GETs every minute: when the
# pings stop, the job workers are down and the monitor tells someone.
HEARTBEAT_URL = env("HEARTBEAT_URL")
# Mail leaves through the outbox (library.mail.outbox): a message the mail server
# could not take is tried again after OUTBOX_RETRY_AFTER seconds, doubling each
# time up to an hour, OUTBOX_MAX_TRIES times in all. A worker holds the message it
# is sending for OUTBOX_LEASE seconds (longer than JOBS_TIMEOUT; a system check
# says so); if it dies, others take it after that. Servers' clocks must agree
# (NTP), since leases are read against each one's own.
OUTBOX_RETRY_AFTER = float(env("OUTBOX_RETRY_AFTER", "60"))
OUTBOX_MAX_TRIES = int(env("OUTBOX_MAX_TRIES", "12"))
OUTBOX_LEASE = float(env("OUTBOX_LEASE", "600"))
# The text of mail sent longer ago than this many days is erased (a daily schedule).
OUTBOX_KEEP_DAYS = int(env("OUTBOX_KEEP_DAYS", "30"))

LANGUAGE_CODE = "en-us"
# Our English, ahead of the libraries': sentence case on the account pages, as the
# rest of the site writes (intercessors/locale/en; the compiled .mo is committed).
LOCALE_PATHS = [BASE_DIR / "intercessors" / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# In production outside the code's folder (`manage.py release` refuses otherwise):
# each release collects beside the previous one's hashed files, which pages rendered
# by servers not yet restarted still ask for.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Uploaded photos (a post's photo, its sizes and its link-preview picture) live in
# the default storage: a folder, MEDIA_ROOT, or, with MEDIA_STORAGE_URL, an S3
# bucket every app server shares (docs/deploy.md).
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# An origin and a plain path: these addresses go into every photo's address and the
# pages' CSP header, where credentials would be shown to all and a ";" would start
# a directive of its own.
_PLAIN_HTTP = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?")
_REGION = re.compile(r"[a-z0-9-]*")


def _plain_http(url) -> bool:
    match = _PLAIN_HTTP.fullmatch(url)
    return bool(match) and int((match[1] or ":1")[1:]) < 65536


def media_storage_settings(url, public_url=""):
    """Translate s3://BUCKET/PREFIX?endpoint_url=…&region=… into the storage for
    photos, and MEDIA_PUBLIC_URL (where readers reach the bucket: the object
    PREFIX/photos/a.jpg is served at MEDIA_PUBLIC_URL + PREFIX/photos/a.jpg) into
    the photos' addresses. Credentials come from AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, which boto3 reads; never from the URL."""
    parts = urlsplit(url)
    usage = "use s3://BUCKET/PREFIX?endpoint_url=https://…&region=…"
    if parts.scheme.lower() != "s3":
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL scheme {parts.scheme!r} is not supported: {usage}.")
    if "@" in parts.netloc:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE_URL must not hold credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment instead.")
    bucket = parts.netloc
    if not _BUCKET_NAME.fullmatch(bucket):
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL names no valid bucket ({bucket!r}): {usage}.")
    options = parse_qs(parts.query)
    unknown = sorted(set(options) - {"endpoint_url", "region"})
    if unknown:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL has unknown options {', '.join(unknown)}: {usage}.")
    endpoint = options.get("endpoint_url", [""])[-1].rstrip("/")
    if "@" in urlsplit(endpoint).netloc or "@" in urlsplit(public_url).netloc:
        # Never echoed: the address would carry a key, and the public one reaches
        # every page.
        raise ImproperlyConfigured(
            "MEDIA_STORAGE_URL's endpoint_url and MEDIA_PUBLIC_URL must not hold "
            "credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead.")
    if endpoint and not _plain_http(endpoint):
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL endpoint_url {endpoint!r} is not an http(s) address "
            "without credentials, query or fragment.")
    region = options.get("region", [""])[-1]
    if not _REGION.fullmatch(region):
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL region {region!r} is no region name.")
    prefix = parts.path.strip("/")
    if not re.fullmatch(r"[A-Za-z0-9._~/-]*", prefix):
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL prefix {prefix!r} may hold only letters, digits and ._~/-.")
    # Without MEDIA_PUBLIC_URL, readers fetch photos from the bucket's own address.
    public = public_url or (f"{endpoint}/{bucket}/" if endpoint
                            else f"https://{bucket}.s3.{region or 'us-east-1'}.amazonaws.com/")
    shown = urlsplit(public)
    if not _plain_http(public):
        raise ImproperlyConfigured(
            f"MEDIA_PUBLIC_URL {public!r} is not an http(s) address without credentials, "
            "query or fragment.")
    storage_options = {
        "bucket_name": bucket,
        "location": prefix,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        # S3-compatible servers (MinIO and the like) want the bucket in the path.
        "addressing_style": "path" if endpoint else None,
        # A new photo never replaces an older one of the same name.
        "file_overwrite": False,
        # Plain addresses, as on disk: a page kept in the page cache must not hold
        # signed ones that expire.
        "querystring_auth": False,
        "url_protocol": f"{shown.scheme}:",
        "custom_domain": shown.netloc + shown.path.rstrip("/"),
        # Photo names are never reused, so browsers may keep them a week.
        "object_parameters": {"CacheControl": "public, max-age=604800"},
    }
    return {
        "MEDIA_STORAGE": {"BACKEND": "storages.backends.s3.S3Storage",
                          "OPTIONS": storage_options},
        "MEDIA_URL": f"{public.rstrip('/')}/{prefix + '/' if prefix else ''}",
        "MEDIA_ORIGIN": f"{shown.scheme}://{shown.netloc}",
    }


MEDIA_STORAGE_URL = env("MEDIA_STORAGE_URL")
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
MEDIA_ORIGIN = ""
if MEDIA_STORAGE_URL:
    globals().update(media_storage_settings(MEDIA_STORAGE_URL, env("MEDIA_PUBLIC_URL")))
# Photos on disk: in production the proxy serves MEDIA_ROOT (docs/deploy.md);
# Django serves them only in development, unless DJANGO_SERVE_MEDIA=1. Photos in
# a bucket are never read from MEDIA_ROOT.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=DEBUG) and not MEDIA_STORAGE_URL

STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Whitenoise's WHITENOISE_KEEP_ONLY_HASHED_FILES stays off: it would delete only this
# collection's unhashed copies, never a previous release's hashed files, and the
# unhashed names serve whatever links to a file by its plain name.

# HTTPS: on by default in production; DJANGO_HTTPS=0 serves plain HTTP
# (local load and browser tests only).
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind our proxy, visitors' addresses (for rate limits) come from the
# X-Forwarded-For entries it adds, believed only in requests that came from
# DJANGO_TRUSTED_PROXIES (addresses or networks; the proxy on this machine by
# default). Without a proxy, REMOTE_ADDR is the visitor (library.web.ratelimit).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1") if BEHIND_PROXY else []
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict Content-Security-Policy: every script is a static file of ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if MEDIA_ORIGIN and MEDIA_ORIGIN != f"{urlsplit(SITE_URL).scheme}://{urlsplit(SITE_URL).netloc}":
    # Photos come from the bucket's own address rather than through the site's proxy.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(MEDIA_ORIGIN)
    # Recordings of calls play from there too.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"].append(MEDIA_ORIGIN)
if PARTNER_CHECKOUT_URL:
    # The thanks page's "Continue to giving" form goes to the checkout.
    _checkout = urlsplit(PARTNER_CHECKOUT_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_checkout.scheme}://{_checkout.netloc}"
    )

# One line a record on standard error, in UTC with the request's id; LOG_FORMAT=json
# for one JSON object a line (library.web.logs). The job worker's own logger writes
# through the same handler rather than the one Django-Q2 adds when it has none.
LOGGING = logging_config(
    level=env("DJANGO_LOG_LEVEL", "INFO"),
    fmt=env("LOG_FORMAT", "text"),
    loggers={
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO"),
                     "propagate": False},
    },
)

# Errors go to Sentry or GlitchTip when SENTRY_DSN is set, scrubbed of what
# members wrote and who they are (library.web.errors).
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    init_errors(
        SENTRY_DSN,
        release=env("RELEASE") or git_commit(BASE_DIR) or "unknown",
        environment=env("SENTRY_ENVIRONMENT", "production"),
    )
