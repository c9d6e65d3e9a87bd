"""Production settings: refuse to start without a secret, pass check --deploy."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from intercessors.settings import email_settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "intercessors.settings"
    env["DJANGO_ENV_FILE"] = os.devnull  # not a developer's .env
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_a_database():
    """Three servers falling back to a file each would be three sites."""
    result = run_manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                        DJANGO_ALLOWED_HOSTS="example.org", DATABASE_URL="")
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    # How to ask for SQLite on purpose, naming the file a site without an address used.
    assert f"sqlite:///{ROOT / 'db.sqlite3'}" in result.stderr


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:",
                                 "sqlite://:memory:"])
def test_production_refuses_a_database_in_memory(url):
    """Each process of each server would have an empty database of its own, lost at
    its restart: the very thing a missing DATABASE_URL is refused for."""
    result = run_manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                        DJANGO_ALLOWED_HOSTS="example.org", DATABASE_URL=url)
    assert result.returncode != 0, result.stdout
    assert "in memory" in result.stderr


def test_production_runs_on_sqlite_when_the_address_says_so(tmp_path):
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'])",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/site.sqlite3",
    )
    assert result.stdout.split()[-2:] == ["django.db.backends.sqlite3",
                                         f"{tmp_path}/site.sqlite3"], result.stderr


def test_development_uses_a_file_in_the_project_without_an_address():
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])",
        DJANGO_DEBUG="1", DATABASE_URL="",
    )
    assert result.stdout.strip().splitlines()[-1] == str(ROOT / "db.sqlite3"), result.stderr


def test_transaction_pooling_turns_server_side_cursors_off():
    probe = ("from django.conf import settings as s; "
             "print(s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))")
    common = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
              "DJANGO_ALLOWED_HOSTS": "example.org",
              "DATABASE_URL": "postgres://site@127.0.0.1:6432/intercessors"}
    pooled = run_manage("shell", "--no-imports", "-c", probe,
                        DATABASE_TRANSACTION_POOLING="1", **common)
    direct = run_manage("shell", "--no-imports", "-c", probe, **common)
    assert pooled.stdout.split()[-1] == "True", pooled.stderr
    assert direct.stdout.split()[-1] == "False", direct.stderr


def test_migrations_can_be_checked_without_the_secret():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0 and "No changes detected" in result.stdout, result.stderr


def test_debug_mode_starts_without_secret_key():
    result = run_manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_check_deploy_reports_no_issues_with_production_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # One check silenced on purpose: auth.W004, emails unique only where set (see settings).
    assert "System check identified no issues (1 silenced)." in result.stdout
    from django.conf import settings

    assert settings.SILENCED_SYSTEM_CHECKS == ["auth.W004"]


def test_collectstatic_writes_hashed_compressed_files(tmp_path):
    result = run_manage(
        "collectstatic",
        "--noinput",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    hashed = [p.name for p in (tmp_path / "css").glob("site.*.css")]
    assert hashed, "no hashed site.css"
    assert (tmp_path / "css" / f"{hashed[0]}.gz").exists()


def test_email_url_smtp_with_tls():
    conf = email_settings("smtp+tls://mailer:s%40cret@mail.example.org:2525")
    assert conf["OUTBOX_DELIVERY_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert conf["EMAIL_HOST"] == "mail.example.org"
    assert conf["EMAIL_PORT"] == 2525
    assert conf["EMAIL_HOST_USER"] == "mailer"
    assert conf["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert conf["EMAIL_USE_TLS"] is True
    assert conf["EMAIL_USE_SSL"] is False


def test_email_url_console_and_bad_scheme():
    assert email_settings("console://")["OUTBOX_DELIVERY_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ImproperlyConfigured):
        email_settings("carrier-pigeon://loft")


def test_production_security_settings_follow_https_flag():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="0",
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "False", "0"], result.stderr


def test_site_url_comes_from_the_first_allowed_host_in_production():
    result = run_manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SITE_URL)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="pray.example.org,www.pray.example.org",
        SITE_URL="",  # set but empty counts as unset
    )
    assert result.stdout.strip().splitlines()[-1] == "https://pray.example.org", result.stderr


def test_empty_variables_count_as_unset():
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; "
        "print(s.STATIC_ROOT.name, bool(s.MINISTRY_TAX_NOTICE))",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_STATIC_ROOT="",
        MINISTRY_TAX_NOTICE="",
        DJANGO_CONN_MAX_AGE="",
    )
    assert result.stdout.strip().splitlines()[-1] == "staticfiles True", result.stderr


def test_production_cookies_and_headers():
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.CSRF_COOKIE_SAMESITE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True", "True", "Lax", "True", "True", "Lax", "31536000", "True", "True"
    ], result.stderr


def test_csp_allows_forms_to_the_checkout_only_when_configured():
    probe = (
        "from django.conf import settings as s; "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    common = dict(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="example.org")
    plain = run_manage("shell", "--no-imports", "-c", probe, **common)
    assert plain.stdout.strip().splitlines()[-1] == "'self'"
    with_checkout = run_manage(
        "shell", "--no-imports", "-c", probe,
        PARTNER_CHECKOUT_URL="https://give.example.org/checkout?campaign=1", **common,
    )
    assert with_checkout.stdout.strip().splitlines()[-1] == "'self' https://give.example.org"


def test_production_leaves_uploads_to_the_proxy_and_binds_nothing_publicly():
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; print(s.SERVE_MEDIA, s.TRUSTED_PROXIES)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_BEHIND_PROXY="1",
    )
    assert result.stdout.strip().splitlines()[-1] == "False ['127.0.0.1', '::1']", result.stderr
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    assert "0.0.0.0" not in deploy
    assert "GUNICORN_BIND=127.0.0.1:8000" in deploy and "DJANGO_TRUSTED_PROXIES" in deploy


def test_development_keeps_mail_as_files_and_production_without_a_server_prints_it():
    probe = ("from django.conf import settings as s; "
             "print(s.OUTBOX_DELIVERY_BACKEND, s.DEV_MAIL_DIR.relative_to(s.BASE_DIR))")
    no_mail = dict(EMAIL_URL="", EMAIL_HOST="", MAIL_PROVIDER="", DEV_MAIL_DIR="")
    development = run_manage("shell", "--no-imports", "-c", probe, DJANGO_DEBUG="1", **no_mail)
    assert development.stdout.strip().splitlines()[-1] == (
        "library.mail.folder.EmailBackend var/mail"), development.stderr
    elsewhere = run_manage("shell", "--no-imports", "-c", probe, DJANGO_DEBUG="1",
                           **{**no_mail, "DEV_MAIL_DIR": "tmp/letters"})
    assert elsewhere.stdout.strip().splitlines()[-1].endswith(" tmp/letters"), elsewhere.stderr
    with_server = run_manage("shell", "--no-imports", "-c", probe, DJANGO_DEBUG="1",
                             **{**no_mail, "EMAIL_URL": "smtp://127.0.0.1:2525"})
    assert with_server.stdout.split()[-2] == "django.core.mail.backends.smtp.EmailBackend"
    production = run_manage("shell", "--no-imports", "-c", probe,
                            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                            DJANGO_ALLOWED_HOSTS="example.org", **no_mail)
    assert production.stdout.split()[-2] == "django.core.mail.backends.console.EmailBackend"
