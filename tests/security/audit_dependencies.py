"""Known vulnerabilities in the installed, locked dependencies, and security
releases not yet installed.

`make audit` runs this in the project's virtualenv. It asks pip-audit first.
pip-audit skips a package whose vulnerability data it cannot fetch and still
prints "No known vulnerabilities found", so a skip is never taken as a pass:
each skipped package is looked up in PyPI's project JSON instead, whose
"vulnerabilities" list belongs to the newest release. That answer is exact for
a package pinned at its newest release; any other is named as not checked.

Advisory databases list a Django or django-allauth fix days after the release
that carries it, so those two are also held to the newest release of their
series (WATCHED): one behind fails, named with the release and its date. Every
other package behind its newest release for this Python is listed, not failed.

Exit status 1: a known vulnerability; Django or allauth behind; an advisory
source or PyPI that could not be read; nothing checked; or, with AUDIT_STRICT=1,
a package left unchecked. AUDIT_PYPI_URL points the PyPI look-ups elsewhere
(the tests' own server)."""
import argparse
import json
import os
import platform
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYPI = os.environ.get("AUDIT_PYPI_URL", "https://pypi.org/pypi").rstrip("/")
# Security fixes land in these packages' releases first. The value is how many
# leading numbers name a series: Django keeps fixing 5.2.x (its LTS); allauth
# fixes only its newest release, so any newer one that runs here counts.
WATCHED = {"django": 2, "django-allauth": 0}
PYTHON = platform.python_version()


@dataclass(frozen=True)
class Release:
    version: Version
    date: str  # YYYY-MM-DD of its first file

    def __str__(self):
        return f"{self.version} ({self.date})"


@dataclass
class Report:
    vulnerable: list = field(default_factory=list)  # (package, version, advisory, fixed in)
    by_pip_audit: list = field(default_factory=list)
    by_newest_release: list = field(default_factory=list)
    unchecked: list = field(default_factory=list)  # (package, version, why)
    unreadable: list = field(default_factory=list)  # (package, version, error)
    behind_series: list = field(default_factory=list)  # (package, version, Release, series)
    behind: list = field(default_factory=list)  # (package, version, Release)
    current_series: list = field(default_factory=list)  # (package, version, series)

    def failed(self, strict: bool) -> bool:
        checked = self.by_pip_audit or self.by_newest_release
        return bool(self.vulnerable or self.unreadable or self.behind_series or not checked
                    or (strict and self.unchecked))


class SourceUnreachable(SystemExit):
    pass


def run_pip_audit() -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
        capture_output=True, text=True, check=False,
    )
    if done.returncode not in (0, 1) or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SourceUnreachable(
            f"FAILED: pip-audit could not read its advisory source, so nothing is known to be "
            f"safe ({last[-600:]})")
    return json.loads(done.stdout)["dependencies"]


def fetch_project(name: str) -> dict:
    with urllib.request.urlopen(f"{PYPI}/{name}/json", timeout=20) as response:  # nosec B310
        return json.load(response)


def _same(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _runs_here(files: list[dict]) -> bool:
    """A release with a file that is not yanked and installs on this Python."""
    for file in files:
        if file.get("yanked"):
            continue
        try:
            if PYTHON in SpecifierSet(file.get("requires_python") or ""):
                return True
        except InvalidSpecifier:
            continue
    return False


def releases(project: dict) -> list[Release]:
    """The project's final releases that install on this Python, oldest first."""
    found = []
    for text, files in project.get("releases", {}).items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease or not _runs_here(files):
            continue
        dates = [f.get("upload_time_iso_8601") or f.get("upload_time") or "" for f in files]
        found.append(Release(version, min(d for d in dates if d)[:10] if any(dates) else "?"))
    return sorted(found, key=lambda release: release.version)


def _compare(report: Report, name: str, version: str, project: dict) -> None:
    """Name the package if a newer release runs here: failing for a watched one
    behind the newest of its series."""
    try:
        mine = Version(version)
    except InvalidVersion:
        return
    known = releases(project)
    newer = [r for r in known if r.version > mine]
    if name in WATCHED:
        if not known:
            raise ValueError("PyPI's answer lists no release that runs here")
        depth = WATCHED[name]
        series = ".".join(str(n) for n in mine.release[:depth]) + ".x" if depth else ""
        same = [r for r in newer if r.version.release[:depth] == mine.release[:depth]]
        if same:
            report.behind_series.append((name, version, same[-1], series))
            return
        report.current_series.append((name, version, series))
    if newer:
        report.behind.append((name, version, newer[-1]))


def _look_up(fetch, names):
    def one(name):
        try:
            return name, fetch(name), None
        except (OSError, ValueError) as error:
            return name, None, error

    with ThreadPoolExecutor(max_workers=16) as pool:
        return {name: (project, error) for name, project, error in pool.map(one, names)}


def audit(dependencies: list[dict], *, installed, fetch=fetch_project) -> Report:
    """`installed(name)` gives a package's installed version; `fetch(name)` its
    PyPI project JSON."""
    report = Report()
    listed = {canonicalize_name(dep["name"]) for dep in dependencies}
    names = sorted(listed | set(WATCHED))
    projects = _look_up(fetch, names)
    for dep in dependencies:
        name = canonicalize_name(dep["name"])
        if "skip_reason" in dep:
            continue
        report.by_pip_audit.append(name)
        for vuln in dep.get("vulns", []):
            report.vulnerable.append(
                (name, dep["version"], vuln["id"], vuln.get("fix_versions", []))
            )
    audited = set(report.by_pip_audit)
    for name in names:
        project, error = projects[name]
        try:
            version = installed(name)
        except metadata.PackageNotFoundError:
            continue  # a watched package this environment does not have
        if project is None:
            if name not in audited or name in WATCHED:
                report.unreadable.append((name, version, str(error)))
            continue
        try:
            _compare(report, name, version, project)
        except ValueError as error:
            report.unreadable.append((name, version, str(error)))
            continue
        if name in audited or name not in listed:
            continue
        if "vulnerabilities" not in project:
            report.unreadable.append((name, version, "PyPI's answer has no vulnerabilities"))
            continue
        if not _same(version, project["info"]["version"]):
            report.unchecked.append(
                (name, version, f"{project['info']['version']} is its newest release"))
            continue
        report.by_newest_release.append(name)
        for vuln in project.get("vulnerabilities") or []:
            if not vuln.get("withdrawn"):
                report.vulnerable.append((name, version, vuln["id"], vuln.get("fixed_in", [])))
    return report


def print_report(report: Report) -> None:
    for name, version, advisory, fixed in report.vulnerable:
        fixed_in = ", ".join(fixed) or "no release yet"
        print(f"VULNERABLE {name} {version}: {advisory} (fixed in {fixed_in})")
    for name, version, newest, series in report.behind_series:
        print(f"BEHIND {name} {version}: {newest} is the newest {series or 'overall'} release; its "
              f"security fixes may not be in any advisory database yet. Upgrade: "
              f"make upgrade PACKAGE={name}")
    for name, version, error in report.unreadable:
        print(f"FAILED {name} {version}: PyPI could not be read ({error})")
    for name, version, series in report.current_series:
        print(f"current {name} {version}: the newest {series or 'overall'} release")
    for name, version, newest in report.behind:
        print(f"behind {name} {version}: {newest} is out")
    for name, version, why in report.unchecked:
        print(f"not checked {name} {version}: pip-audit had no data, and PyPI's answers only "
              f"for the newest release ({why})")
    print(
        f"{len(report.by_pip_audit) + len(report.by_newest_release)} packages checked "
        f"({len(report.by_pip_audit)} by pip-audit, {len(report.by_newest_release)} by PyPI's "
        f"data for their newest release), {len(report.unchecked)} not checked, "
        f"{len(report.unreadable)} unreadable, {len(report.behind)} behind a newer release, "
        f"{len(report.behind_series)} behind a security series, "
        f"{len(report.vulnerable)} known vulnerabilities."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from-json", metavar="FILE",
                        help="pip-audit's JSON output, read instead of running pip-audit")
    args = parser.parse_args(argv)
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as saved:
            dependencies = json.load(saved)["dependencies"]
    else:
        dependencies = run_pip_audit()
    report = audit(dependencies, installed=metadata.version)
    print_report(report)
    return 1 if report.failed(os.environ.get("AUDIT_STRICT") == "1") else 0


if __name__ == "__main__":
    sys.exit(main())
