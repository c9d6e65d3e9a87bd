#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

In development it first reads `.env` beside it, which `make run` writes: a command
typed in another terminal then runs with the same settings as the site. A variable
the environment already sets wins. The web server (intercessors.wsgi) never reads
the file, so production runs on its real environment alone.
"""
import os
import sys
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parent / ".env"


def read_env_file(path) -> dict[str, str]:
    """`KEY=VALUE` lines (`export` before one is allowed); blank lines and `#`
    comments are skipped, and a value may be quoted. A line of another shape is
    skipped with a warning: a command still runs on its real environment."""
    values = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key.isidentifier():
            print(f"{path}, line {number}: skipped, not KEY=VALUE", file=sys.stderr)
            continue
        quote = value[:1]
        if quote in {'"', "'"} and value.find(quote, 1) > 0:
            value = value[1:value.find(quote, 1)]
        else:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def read_development_environment():
    # DJANGO_ENV_FILE names another file (the test suite's processes: /dev/null, none).
    path = Path(os.environ.get("DJANGO_ENV_FILE", "").strip() or ENV_FILE)
    if not path.is_file():
        return
    for key, value in read_env_file(path).items():
        # Set but empty counts as unset, as in the settings.
        if not os.environ.get(key, "").strip():
            os.environ[key] = value


def main():
    read_development_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercessors.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
