"""Test settings: the real settings module, read with test values in the environment."""
import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Production settings want a database named; the SQLite pass names a file (each
# process tests in a copy of its own, below).
os.environ.setdefault("DATABASE_URL", "sqlite:///" + os.path.join(
    tempfile.gettempdir(), "intercessors-tests.sqlite3"))
# The `manage.py` processes the suite starts (workers, checks) read only the
# environment each test gives them, whatever a developer's `.env` holds.
os.environ["DJANGO_ENV_FILE"] = os.devnull
# Renders are kept in a folder of this process's own (the suite runs on several at
# once), which the servers and workers it starts with the site's settings share.
os.environ["PAGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="intercessors-pages-")
atexit.register(shutil.rmtree, os.environ["PAGE_CACHE_DIR"], ignore_errors=True)

from intercessors.settings import *  # noqa: E402,F403

# Unhashed static names: the suite does not run collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads go to a folder of this process's own (the suite runs on several at once).
MEDIA_ROOT = tempfile.mkdtemp(prefix="intercessors-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
# The outbox hands mail to Django's test mailbox (django.core.mail.outbox).
OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Fast hashing: the suite creates many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the app folders, as runserver does in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The stock backend, emptying tables faster after a test (tests/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
    # The suite's own commits do not wait for the disk: a test that needs real
    # transactions commits hundreds of times (emptying the tables, putting back the
    # reference data), each a flush of the log that nothing here needs. The servers
    # and workers a test starts read the site's settings, and wait as in production.
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
        "options": "-c synchronous_commit=off",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, as in production: the worker and server processes that
    # some tests start open the same database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"intercessors-tests-{os.getpid()}.sqlite3")
    }
