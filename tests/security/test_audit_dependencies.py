"""The dependency audit fails on a known vulnerability and never takes a package
pip-audit skipped as a pass."""
from tests.security import audit_dependencies
from tests.security.audit_dependencies import audit

INSTALLED = {"django": "5.2.19", "bleach": "6.4.0", "gunicorn": "27.0.1"}.get
SKIPPED = "Dependency not found on PyPI and could not be audited"


def project(version, vulnerabilities=(), releases=()):
    return {"info": {"version": version}, "vulnerabilities": list(vulnerabilities),
            "releases": {v: [] for v in (*releases, version)}}


def test_a_vulnerability_pip_audit_reports_fails_the_audit():
    report = audit(
        [{"name": "bleach", "version": "6.4.0",
          "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["6.4.1"]}]}],
        installed=INSTALLED, fetch=None,
    )
    assert report.vulnerable == [("bleach", "6.4.0", "PYSEC-0000-1", ["6.4.1"])]
    assert report.failed(strict=False)


def test_a_skipped_package_at_its_newest_release_is_read_from_pypi():
    projects = {
        "bleach": project("6.4.0", [{"id": "GHSA-xxxx", "fixed_in": [], "withdrawn": None}]),
        "gunicorn": project("27.0.1", [{"id": "OLD-1", "withdrawn": "2026-01-01T00:00:00"}]),
    }
    report = audit(
        [{"name": "bleach", "skip_reason": SKIPPED}, {"name": "gunicorn", "skip_reason": SKIPPED}],
        installed=INSTALLED, fetch=projects.__getitem__,
    )
    assert report.by_newest_release == ["bleach", "gunicorn"]
    assert report.vulnerable == [("bleach", "6.4.0", "GHSA-xxxx", [])]  # withdrawn one ignored
    assert report.failed(strict=False)


def test_a_clean_newest_release_passes():
    report = audit([{"name": "gunicorn", "skip_reason": SKIPPED}],
                   installed=INSTALLED, fetch=lambda name: project("27.0.1"))
    assert report.by_newest_release == ["gunicorn"] and not report.failed(strict=True)


def test_a_package_behind_its_newest_release_is_named_not_passed():
    clean = {"name": "gunicorn", "version": "27.0.1", "vulns": []}
    report = audit([{"name": "django", "skip_reason": SKIPPED}, clean], installed=INSTALLED,
                   fetch=lambda name: project("6.1.3", releases=["5.2.18", "5.2.19", "6.0"]))
    assert report.unchecked == [
        ("django", "5.2.19", "the newest 5.2.x release; 6.1.3 is the newest overall")]
    assert not report.failed(strict=False) and report.failed(strict=True)

    report = audit([{"name": "django", "skip_reason": SKIPPED}], installed=INSTALLED,
                   fetch=lambda name: project("6.1.3", releases=["5.2.19", "5.2.20"]))
    assert report.unchecked[0][2] == "6.1.3 is the newest release"


def test_pypi_out_of_reach_fails_the_audit():
    def unreachable(name):
        raise OSError("Name or service not known")

    report = audit(
        [{"name": "bleach", "skip_reason": SKIPPED}, {"name": "gunicorn", "version": "27.0.1",
                                                    "vulns": []}],
        installed=INSTALLED, fetch=unreachable,
    )
    assert report.unreadable == [("bleach", "6.4.0", "Name or service not known")]
    assert report.failed(strict=False)


def test_an_audit_that_checked_nothing_fails():
    report = audit([], installed=INSTALLED, fetch=None)
    assert report.failed(strict=False)


def test_main_exits_1_on_a_vulnerability_and_0_when_clean(monkeypatch, capsys):
    monkeypatch.setattr(audit_dependencies, "run_pip_audit", lambda: [
        {"name": "gunicorn", "version": "27.0.1", "vulns": [{"id": "GHSA-1", "fix_versions": []}]}
    ])
    assert audit_dependencies.main() == 1
    assert "VULNERABLE gunicorn 27.0.1: GHSA-1 (fixed in no release yet)" in capsys.readouterr().out
    monkeypatch.setattr(audit_dependencies, "run_pip_audit", lambda: [
        {"name": "gunicorn", "version": "27.0.1", "vulns": []}])
    assert audit_dependencies.main() == 0
    assert "1 packages checked (1 by pip-audit" in capsys.readouterr().out
