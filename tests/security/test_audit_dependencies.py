"""The dependency audit fails on a known vulnerability, on Django or allauth behind
the newest release of its series, and on a source it cannot read; it never takes a
package pip-audit skipped as a pass, and lists other packages behind."""
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import pytest

from tests.security import audit_dependencies
from tests.security.audit_dependencies import audit

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = {"django": "5.2.19", "django-allauth": "65.22.1", "pillow": "13.0.0",
             "gunicorn": "27.0.1"}.__getitem__
SKIPPED = "Dependency not found on PyPI and could not be audited"


def files(date="2026-11-03", requires_python=">=3.10", yanked=False):
    return [{"upload_time_iso_8601": f"{date}T12:00:00Z", "requires_python": requires_python,
             "yanked": yanked}]


def project(version, vulnerabilities=(), releases=None):
    """PyPI's project JSON: `releases` maps each version to its files."""
    releases = dict(releases or {})
    releases.setdefault(version, files())
    return {"info": {"version": version}, "vulnerabilities": list(vulnerabilities),
            "releases": releases}


CURRENT = {
    "django": project("6.1.3", releases={"5.2.19": files("2026-11-03"),
                                         "6.1.3": files("2026-12-02", ">=3.12")}),
    "django-allauth": project("65.22.1"),
    "gunicorn": project("27.0.1"),
    "pillow": project("13.0.0"),
}


def clean(name):
    return {"name": name, "version": INSTALLED(name), "vulns": []}


def test_a_vulnerability_pip_audit_reports_fails_the_audit():
    report = audit(
        [{"name": "pillow", "version": "13.0.0",
          "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["13.0.1"]}]}],
        installed=INSTALLED, fetch=CURRENT.__getitem__,
    )
    assert report.vulnerable == [("pillow", "13.0.0", "PYSEC-0000-1", ["13.0.1"])]
    assert report.failed(strict=False)


def test_a_skipped_package_at_its_newest_release_is_read_from_pypi():
    projects = {
        **CURRENT,
        "pillow": project("13.0.0", [{"id": "GHSA-xxxx", "fixed_in": [], "withdrawn": None}]),
        "gunicorn": project("27.0.1", [{"id": "OLD-1", "withdrawn": "2026-01-01T00:00:00"}]),
    }
    report = audit(
        [{"name": "pillow", "skip_reason": SKIPPED}, {"name": "gunicorn", "skip_reason": SKIPPED}],
        installed=INSTALLED, fetch=projects.__getitem__,
    )
    assert report.by_newest_release == ["gunicorn", "pillow"]
    assert report.vulnerable == [("pillow", "13.0.0", "GHSA-xxxx", [])]  # withdrawn one ignored
    assert report.failed(strict=False)


def test_current_releases_pass():
    report = audit([clean("gunicorn"), clean("django")], installed=INSTALLED,
                   fetch=CURRENT.__getitem__)
    # 6.1.3 needs a newer Python than this one: 5.2.19 is the newest that runs here.
    assert report.current_series == [("django", "5.2.19", "5.2.x"),
                                     ("django-allauth", "65.22.1", "")]
    assert report.behind == [] and not report.failed(strict=True)


def test_django_behind_its_series_fails_with_the_release_and_its_date(capsys):
    projects = {**CURRENT, "django": project("6.1.3", releases={
        "5.2.19": files("2026-11-03"), "5.2.20": files("2026-12-02"),
        "5.2.21": files("2026-12-09", yanked=True), "5.2.22rc1": files("2026-12-10"),
        "6.1.3": files("2026-12-02", ">=3.12")})}
    report = audit([clean("django"), clean("gunicorn")], installed=INSTALLED,
                   fetch=projects.__getitem__)
    assert report.failed(strict=False)
    audit_dependencies.print_report(report)
    out = capsys.readouterr().out
    assert "BEHIND django 5.2.19: 5.2.20 (2026-12-02) is the newest 5.2.x release" in out


@pytest.mark.parametrize("newest", ["65.23.0", "66.0.0"])
def test_allauth_is_held_to_its_newest_release(newest):
    """allauth fixes only its newest release, a new major one too."""
    projects = {**CURRENT, "django-allauth": project(newest, releases={
        "65.22.1": files(), newest: files("2026-12-05")})}
    report = audit([clean("gunicorn")], installed=INSTALLED, fetch=projects.__getitem__)
    assert [(n, str(r)) for n, _, r, _ in report.behind_series] == [
        ("django-allauth", f"{newest} (2026-12-05)")]
    assert report.failed(strict=False)


def test_an_answer_without_releases_or_vulnerabilities_is_not_a_pass():
    """PyPI calls "releases" deprecated, and a mirror may leave keys out."""
    bare = {"info": {"version": "5.2.20"}, "vulnerabilities": []}
    report = audit([clean("gunicorn")], installed=INSTALLED,
                   fetch={**CURRENT, "django": bare}.__getitem__)
    assert report.unreadable == [("django", "5.2.19", "PyPI's answer lists no release that "
                                  "runs here")]
    no_vulns = {"info": {"version": "27.0.1"}, "releases": {"27.0.1": files()}}
    report = audit([{"name": "gunicorn", "skip_reason": SKIPPED}], installed=INSTALLED,
                   fetch={**CURRENT, "gunicorn": no_vulns}.__getitem__)
    assert report.unreadable == [("gunicorn", "27.0.1", "PyPI's answer has no vulnerabilities")]
    assert report.failed(strict=False)


def test_other_packages_behind_are_listed_without_failing():
    projects = {**CURRENT, "gunicorn": project("27.1.0", releases={"27.0.1": files(),
                                                                   "27.1.0": files("2026-12-01")})}
    report = audit([clean("gunicorn")], installed=INSTALLED, fetch=projects.__getitem__)
    assert [(n, v, str(r)) for n, v, r in report.behind] == [
        ("gunicorn", "27.0.1", "27.1.0 (2026-12-01)")]
    assert not report.failed(strict=False)


def test_a_skipped_package_behind_is_named_not_passed():
    projects = {**CURRENT, "gunicorn": project("27.1.0", releases={"27.0.1": files()})}
    report = audit([{"name": "gunicorn", "skip_reason": SKIPPED}, clean("pillow")],
                   installed=INSTALLED, fetch=projects.__getitem__)
    assert report.unchecked == [("gunicorn", "27.0.1", "27.1.0 is its newest release")]
    assert not report.failed(strict=False) and report.failed(strict=True)


@pytest.mark.parametrize("missing", ["pillow", "django"])
def test_pypi_out_of_reach_fails_the_audit(missing):
    def fetch(name):
        if name == missing:
            raise OSError("Name or service not known")
        return CURRENT[name]

    report = audit([{"name": "pillow", "skip_reason": SKIPPED}, clean("gunicorn")],
                   installed=INSTALLED, fetch=fetch)
    assert report.unreadable == [(missing, INSTALLED(missing), "Name or service not known")]
    assert report.failed(strict=False)


def test_an_audit_that_checked_nothing_fails():
    report = audit([], installed=INSTALLED, fetch=CURRENT.__getitem__)
    assert report.failed(strict=False)


# The whole command, as `make audit` runs it, against a PyPI of our own on 127.0.0.1.

class PyPI(BaseHTTPRequestHandler):
    projects: dict = {}

    def do_GET(self):  # noqa: N802 (the handler's name)
        name = self.path.strip("/").split("/")[-2]
        body = json.dumps(self.projects[name]).encode() if name in self.projects else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def pypi():
    server = ThreadingHTTPServer(("127.0.0.1", 0), PyPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def run_audit(tmp_path, pypi_url, dependencies, **env):
    saved = tmp_path / "pip-audit.json"
    saved.write_text(json.dumps({"dependencies": dependencies}))
    return subprocess.run(
        [sys.executable, "-m", "tests.security.audit_dependencies", "--from-json", str(saved)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "AUDIT_PYPI_URL": pypi_url, **env},
    )


def installed_projects(newer_django=None):
    """PyPI as it would answer for the packages installed here, every one current,
    or with a newer Django patch release."""
    django = metadata.version("django")
    projects = {name: project(metadata.version(name)) for name in ("gunicorn", "django-allauth")}
    releases = {django: files()}
    if newer_django:
        releases[newer_django] = files("2026-12-30")
    projects["django"] = project(newer_django or django, releases=releases)
    return projects


def test_make_audit_fails_on_a_django_patch_release_not_installed(tmp_path, pypi):
    major, minor, patch = metadata.version("django").split(".")[:3]
    newer = f"{major}.{minor}.{int(patch) + 1}"
    PyPI.projects = installed_projects(newer_django=newer)
    deps = [{"name": n, "version": metadata.version(n), "vulns": []}
            for n in ("gunicorn", "django")]
    url = f"http://127.0.0.1:{pypi.server_port}/pypi"
    done = run_audit(tmp_path, url, deps)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{newer} (2026-12-30) is the newest {major}.{minor}.x release" in done.stdout

    PyPI.projects = installed_projects()
    done = run_audit(tmp_path, url, deps)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 known vulnerabilities" in done.stdout


def test_make_audit_fails_when_pypi_cannot_be_reached(tmp_path, pypi):
    url = f"http://127.0.0.1:{pypi.server_port}/pypi"
    pypi.shutdown()
    pypi.server_close()
    deps = [{"name": "gunicorn", "version": metadata.version("gunicorn"), "vulns": []}]
    done = run_audit(tmp_path, url, deps)
    assert done.returncode == 1
    assert "FAILED django" in done.stdout and "could not be read" in done.stdout


def test_an_advisory_source_out_of_reach_is_a_failure_not_a_pass(monkeypatch):
    """pip-audit itself, with every connection refused."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    with pytest.raises(SystemExit) as failed:
        audit_dependencies.run_pip_audit()
    assert str(failed.value.code).startswith("FAILED: pip-audit could not read its advisory")
