"""Known vulnerabilities in the installed, pinned dependencies.

`make audit` runs this in the project's virtualenv. It asks pip-audit first.
pip-audit skips a package whose vulnerability data it cannot fetch and still
prints "No known vulnerabilities found", so a skip is never taken as a pass:
each skipped package is looked up in PyPI's project JSON instead, whose
"vulnerabilities" list belongs to the newest release. That answer is exact for
a package pinned at its newest release; any other package is named as not
checked, with how far behind it is. AUDIT_STRICT=1 makes "not checked" fail too.

Exit status 1: a known vulnerability; a package whose data could not be read at
all; nothing checked; or, strict, a package left unchecked."""
import json
import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata

from packaging.version import InvalidVersion, Version

PYPI_PROJECT = "https://pypi.org/pypi/{}/json"


@dataclass
class Report:
    vulnerable: list = field(default_factory=list)  # (package, version, advisory, fixed in)
    by_pip_audit: list = field(default_factory=list)
    by_newest_release: list = field(default_factory=list)
    unchecked: list = field(default_factory=list)  # (package, version, why)
    unreadable: list = field(default_factory=list)  # (package, version, error)

    def failed(self, strict: bool) -> bool:
        checked = self.by_pip_audit or self.by_newest_release
        return bool(self.vulnerable or self.unreadable or not checked
                    or (strict and self.unchecked))


def run_pip_audit() -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
        capture_output=True, text=True, check=False,
    )
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise SystemExit(f"pip-audit did not run: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout)["dependencies"]


def fetch_project(name: str) -> dict:
    with urllib.request.urlopen(PYPI_PROJECT.format(name), timeout=20) as response:  # nosec B310
        return json.load(response)


def _same(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _behind(version: str, project: dict) -> str:
    newest = project["info"]["version"]
    try:
        mine = Version(version)
        series = [
            Version(v) for v in project.get("releases", {})
            if _is_final(v) and Version(v).release[:2] == mine.release[:2]
        ]
    except InvalidVersion:
        series = []
    if series and mine >= max(series):
        return f"the newest {mine.major}.{mine.minor}.x release; {newest} is the newest overall"
    return f"{newest} is the newest release"


def _is_final(text: str) -> bool:
    try:
        return not Version(text).is_prerelease
    except InvalidVersion:
        return False


def audit(dependencies: list[dict], *, installed, fetch=fetch_project) -> Report:
    """`installed(name)` gives a package's installed version; `fetch(name)` its
    PyPI project JSON."""
    report = Report()
    skipped = []
    for dep in dependencies:
        if "skip_reason" in dep:
            skipped.append(dep["name"])
            continue
        report.by_pip_audit.append(dep["name"])
        for vuln in dep.get("vulns", []):
            report.vulnerable.append(
                (dep["name"], dep["version"], vuln["id"], vuln.get("fix_versions", []))
            )

    def look_up(name):
        try:
            return name, fetch(name), None
        except (OSError, ValueError) as error:
            return name, None, error

    with ThreadPoolExecutor(max_workers=8) as pool:
        for name, project, error in pool.map(look_up, skipped):
            version = installed(name)
            if project is None:
                report.unreadable.append((name, version, str(error)))
            elif not _same(version, project["info"]["version"]):
                report.unchecked.append((name, version, _behind(version, project)))
            else:
                report.by_newest_release.append(name)
                for vuln in project.get("vulnerabilities") or []:
                    if not vuln.get("withdrawn"):
                        report.vulnerable.append(
                            (name, version, vuln["id"], vuln.get("fixed_in", []))
                        )
    return report


def main() -> int:
    strict = os.environ.get("AUDIT_STRICT") == "1"
    report = audit(run_pip_audit(), installed=metadata.version)
    for name, version, advisory, fixed in report.vulnerable:
        fixed_in = ", ".join(fixed) or "no release yet"
        print(f"VULNERABLE {name} {version}: {advisory} (fixed in {fixed_in})")
    for name, version, why in report.unchecked:
        print(f"not checked {name} {version}: pip-audit had no data and it is not the newest "
              f"release ({why})")
    for name, version, error in report.unreadable:
        print(f"FAILED {name} {version}: neither pip-audit nor PyPI could be read ({error})")
    print(
        f"{len(report.by_pip_audit) + len(report.by_newest_release)} packages checked "
        f"({len(report.by_pip_audit)} by pip-audit, {len(report.by_newest_release)} by PyPI's "
        f"data for their newest release), {len(report.unchecked)} not checked, "
        f"{len(report.unreadable)} unreadable, "
        f"{len(report.vulnerable)} known vulnerabilities."
    )
    return 1 if report.failed(strict) else 0


if __name__ == "__main__":
    sys.exit(main())
