"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

What a browser sees does not depend on the database engine: these run in the
PostgreSQL pass, and one journey (marked sqlite_too) in the SQLite pass as well.
Without Chromium they are skipped with one line saying how to install it, unless
E2E_REQUIRED=1 (as CI sets), where a missing browser is a failure.
"""
import io
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from library.web import ratelimit

# Playwright's sync API keeps an event loop in the test thread; the ORM calls
# tests make for set-up are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "grace-demo-psalm-23"
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    e2e = [item for item in items if E2E_DIR in Path(str(item.fspath)).parents]
    for item in e2e:
        item.add_marker(pytest.mark.postgres_pass)
    if HAVE_CHROMIUM or not e2e:
        return
    reason = (
        f"Browser tests need Chromium at {CHROMIUM}: install it with "
        "`apt-get install chromium` (Debian) to run them."
    )
    if os.environ.get("E2E_REQUIRED") == "1":
        raise pytest.UsageError(reason + " E2E_REQUIRED=1 makes this a failure.")
    marker = pytest.mark.skip(reason=reason)
    for item in e2e:
        item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def site(live_server):
    """The demo site, seeded, with rate limits starting at zero.

    Live-server tests empty every table afterwards; seed_demo puts back the
    reference data migrations load (states, the Editors group) when it is gone."""
    ratelimit.reset()
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


@pytest.fixture
def grace(site):
    return get_user_model().objects.get(email="grace@intercessors.example")


@pytest.fixture
def reader(site):
    """A member who has not prayed or commented yet."""
    from tests.factories import DEFAULT_PASSWORD, make_member

    member = make_member(email="priscilla@example.org", display_name="Priscilla")
    member.test_password = DEFAULT_PASSWORD
    return member


def log_in(page, base_url, email="grace@intercessors.example", password=PASSWORD, next_url=""):
    page.goto(f"{base_url}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def no_dialogs(page):
    """Fail the test if any alert/confirm/prompt ever opens."""
    opened = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    yield opened
    assert opened == [], f"a dialog opened: {opened}"
