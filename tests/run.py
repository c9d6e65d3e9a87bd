"""The suite as `make test` runs it: the tests that can share the machine on every
core at once (pytest-xdist, each worker with its own database, ports and media
folder), then those marked `serial`, alone. In random order (pytest-randomly),
whose seed is printed at the top of each part: `-p randomly --randomly-seed=N`
replays it. The time of each part is printed at the end.

    python -m tests.run [pytest arguments]   # TEST_WORKERS=1 for one process
"""
import os
import subprocess
import sys
import time

from django.conf import settings

PARTS = [
    ("parallel", ["-n", os.environ.get("TEST_WORKERS", "auto"), "--dist", "worksteal",
                  "-m", "not serial"]),
    ("alone", ["-p", "no:xdist", "-m", "serial"]),
]
NO_TESTS = 5  # pytest's exit status when a selection holds no test


def main(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    engine = "SQLite" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") \
        else "PostgreSQL"
    times, status = [], 0
    for name, options in PARTS:
        started = time.monotonic()
        status = subprocess.call([sys.executable, "-m", "pytest", *options, *args])
        times.append(f"{name} part {time.monotonic() - started:.0f} s")
        if status not in (0, NO_TESTS):
            break
    print(f"== {engine} pass: " + ", ".join(times))
    return 0 if status == NO_TESTS else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
