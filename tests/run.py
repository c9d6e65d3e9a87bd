"""The suite as `make test` runs it: the tests that can share the machine on every
core at once (pytest-xdist, a worker more than the cores, each with its own
database, ports and media folder), then those marked `serial`, alone. In random
order (pytest-randomly), whose seed is printed at the top of each part:
`-p randomly --randomly-seed=N` replays it. The time of each part is printed at the end.

The test database is migrated once, before the parts, and each process starts
from a copy of it (tests/conftest.py, `django_db_modify_db_settings`) rather than
running every migration again.

    python -m tests.run [pytest arguments]   # TEST_WORKERS=1 for one process
"""
import os
import subprocess
import sys
import time

import django
from django.conf import settings

# One worker more than the cores: many tests spend seconds waiting on the servers,
# workers and browsers they start, and the extra worker uses the idle core meanwhile.
WORKERS = os.environ.get("TEST_WORKERS") or str(len(os.sched_getaffinity(0)) + 1)
PARTS = [
    ("parallel", ["-n", WORKERS, "--dist", "worksteal", "-m", "not serial"]),
    ("alone", ["-p", "no:xdist", "-m", "serial"]),
]
NO_TESTS = 5  # pytest's exit status when a selection holds no test
TEMPLATE = "TESTS_DATABASE_TEMPLATE"  # read by tests/conftest.py


def migrated_template():
    """The test database, migrated, under a name no process of the pass uses: they
    copy it (tests/conftest.py). Returns its name and what deletes it."""
    django.setup()
    from django.db import connection

    test = connection.settings_dict["TEST"]
    if connection.vendor == "sqlite":
        test["NAME"] = os.path.splitext(test["NAME"])[0] + "-template.sqlite3"
    else:
        test["NAME"] = f"test_{connection.settings_dict['NAME']}_template"
    original = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    connection.close()
    return name, lambda: connection.creation.destroy_test_db(original, verbosity=0)


def main(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    engine = "SQLite" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") \
        else "PostgreSQL"
    started = time.monotonic()
    template, destroy = migrated_template()
    times, status = [f"migrations {time.monotonic() - started:.0f} s"], 0
    env = {**os.environ, TEMPLATE: template}
    try:
        for name, options in PARTS:
            started = time.monotonic()
            status = subprocess.call([sys.executable, "-m", "pytest", *options, *args], env=env)
            times.append(f"{name} part {time.monotonic() - started:.0f} s")
            if status not in (0, NO_TESTS):
                break
    finally:
        destroy()
    print(f"== {engine} pass: " + ", ".join(times))
    return 0 if status == NO_TESTS else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
