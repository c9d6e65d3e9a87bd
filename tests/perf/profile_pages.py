"""Where a page's time goes: requests through the whole middleware stack, in this
process, under pyinstrument, for a bench member or a reader who is not logged in.

    DATABASE_URL=postgres://…/intercessors_bench python -m tests.perf.profile_pages \
        /articles/bench-post-00000/ [--anonymous] [--count 300] [--post]

Run `make bench` (or `manage.py seed_bench`) first, so the archive and its members
exist. `--post` sends "I Prayed" for random prayers of the bench posts instead of
reading the page. Prints pyinstrument's text report, with the time per request.
"""
import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercessors.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "profile-pages-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# Where `make bench` collects the static files (their names carry their hashes).
os.environ.setdefault("DJANGO_STATIC_ROOT",
                      str(Path(tempfile.gettempdir()) / "intercessors-bench-static"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--post", action="store_true")
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    from accounts.models import User
    from prayers.models import Prayer

    # "I Prayed" allows a member 30 marks a minute: posts come from many members.
    members = User.objects.filter(username__startswith="bench").order_by("pk")
    clients = [Client() for _ in range(args.count // 20 + 2 if args.post else 1)]
    chosen = ([] if args.post else [0]) + random.sample(range(1, members.count()),
                                                         len(clients) - (0 if args.post else 1))
    for n, client in zip(chosen, clients, strict=True):
        if not args.anonymous:
            client.force_login(members[n])
    client = clients[0]
    prayers = list(Prayer.objects.filter(article__slug__startswith="bench-post-")
                   .values_list("pk", flat=True)[:5000])

    def one():
        if args.post:
            response = random.choice(clients).post(
                f"/prayers/{random.choice(prayers)}/prayed/",
                headers={"Accept": "application/json"})
            assert response.status_code == 200, response.status_code
        else:
            response = client.get(args.path)
            assert response.status_code == 200, response.status_code

    for _ in range(20):  # warm the caches and the connection
        one()
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.count):
        one()
    profiler.stop()
    elapsed = time.perf_counter() - started
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"{args.count} requests, {elapsed / args.count * 1000:.2f} ms each (under the profiler)")


if __name__ == "__main__":
    main()
