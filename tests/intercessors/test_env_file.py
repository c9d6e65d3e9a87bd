"""A developer's `.env`: read by manage.py before the settings, under the real
environment, and never by the web server."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from manage import read_env_file

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("from django.conf import settings as s; "
         "print(s.DEBUG, s.SITE_URL, s.DEV_MAIL_DIR.relative_to(s.BASE_DIR), "
         "s.OUTBOX_DELIVERY_BACKEND)")
DEVELOPMENT = """\
# Written by make run.
DATABASE_URL=sqlite:///dev.sqlite3
export DJANGO_DEBUG=1
SITE_URL="http://127.0.0.1:8402"   # the port make run serves on
DEV_MAIL_DIR='var/letters'
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the site's code whose own `.env` a test may write, as a clone's."""
    copy = tmp_path_factory.mktemp("clone") / "intercessors"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".*", "docs", "tests", "var", "media", "staticfiles", "*.sqlite3*", "__pycache__"))
    (copy / ".env").write_text(DEVELOPMENT)
    return copy


def run(project, *args, **variables):
    """Python in the copy, with an environment of the suite's process minus the
    site's variables, plus `variables`."""
    site = {"DATABASE_URL", "SITE_URL", "DEV_MAIL_DIR", "EMAIL_URL", "EMAIL_HOST",
            "MAIL_PROVIDER"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in site}
    env.update(variables)
    result = subprocess.run([sys.executable, *args], cwd=project, env=env,
                            capture_output=True, text=True, timeout=120)
    return result


def last_line(result):
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_manage_py_reads_the_development_values(project):
    result = run(project, "manage.py", "shell", "--no-imports", "-c", PROBE)
    assert last_line(result) == (
        "True http://127.0.0.1:8402 var/letters library.mail.folder.EmailBackend")
    # Without DJANGO_DEBUG from the file, this would stop for want of a secret key.
    assert run(project, "manage.py", "check").returncode == 0


def test_the_real_environment_wins(project):
    result = run(project, "manage.py", "shell", "--no-imports", "-c", PROBE,
                 SITE_URL="http://127.0.0.1:9000", DEV_MAIL_DIR="")
    # Set but empty counts as unset, as in the settings: the file fills it in.
    assert last_line(result) == (
        "True http://127.0.0.1:9000 var/letters library.mail.folder.EmailBackend")
    production = run(project, "manage.py", "check", DJANGO_DEBUG="0")
    assert production.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in production.stderr


def test_the_web_server_never_reads_it(project):
    result = run(project, "-c", "import intercessors.wsgi")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    secret = "a-production-secret-" + "y" * 40
    # The file's DATABASE_URL is not read either: production wants its own.
    unnamed = run(project, "-c", "import intercessors.wsgi",
                  DJANGO_SECRET_KEY=secret, DJANGO_ALLOWED_HOSTS="example.org")
    assert "DATABASE_URL is not set" in unnamed.stderr
    served = run(project, "-c", "import intercessors.wsgi; " + PROBE,
                 DJANGO_SECRET_KEY=secret, DJANGO_ALLOWED_HOSTS="example.org",
                 DATABASE_URL="sqlite:///site.sqlite3")
    assert last_line(served) == (
        "False https://example.org var/mail django.core.mail.backends.console.EmailBackend")


def test_another_file_or_none(project, tmp_path):
    other = tmp_path / "other.env"
    other.write_text("DJANGO_DEBUG=1\nSITE_URL=http://127.0.0.1:8123\n")
    result = run(project, "manage.py", "shell", "--no-imports", "-c", PROBE,
                 DJANGO_ENV_FILE=str(other))
    assert last_line(result).startswith("True http://127.0.0.1:8123 var/mail ")
    none = run(project, "manage.py", "check", DJANGO_ENV_FILE=os.devnull)
    assert "DJANGO_SECRET_KEY is not set" in none.stderr


def test_the_file_format(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n\n  SPACED = around  \nEMPTY=\nHASH=a#b\nCOMMENTED=value  # why\n"
        "QUOTED=\"two words # kept\"  # dropped\nSINGLE='x=1'\nexport EXPORTED=yes\n"
        "SECRET=\"it's\"\n"
    )
    assert read_env_file(path) == {
        "SPACED": "around", "EMPTY": "", "HASH": "a#b", "COMMENTED": "value",
        "QUOTED": "two words # kept", "SINGLE": "x=1", "EXPORTED": "yes", "SECRET": "it's",
    }


@pytest.mark.parametrize("line", ["just words", "=value", "TWO WORDS=x", "; a comment"])
def test_a_line_that_is_not_a_setting_is_skipped_with_its_number(tmp_path, capsys, line):
    path = tmp_path / ".env"
    path.write_text(f"GOOD=1\n{line}\nALSO=2\n")
    assert read_env_file(path) == {"GOOD": "1", "ALSO": "2"}
    assert "line 2: skipped, not KEY=VALUE" in capsys.readouterr().err
