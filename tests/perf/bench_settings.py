"""The site's own settings, for `make bench`: its URLs plus the "ceiling" page, a
view of a post page's size that makes no query (what Django alone does here)."""
from intercessors.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.bench_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "perf" / "templates"]  # noqa: F405
