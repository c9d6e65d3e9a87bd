"""gunicorn settings for production and the benchmark; each can be overridden
by its GUNICORN_* environment variable."""
import multiprocessing
import os
import sys
from pathlib import Path

# The site's log format, in the project beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from library.web.logs import logging_config  # noqa: E402

# An address, or `fd://N` for a listening socket a parent process holds and passes
# down; started by systemd's socket activation (LISTEN_FDS, deploy/systemd) gunicorn
# takes that socket instead. Either way the socket outlives a restart, and a
# connection made meanwhile waits in its backlog for the next gunicorn.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let a worker keep serving while one request waits on the database. One
# worker a core with 4 threads each, recycled every 1,000,000 requests and forked
# from a site loaded once, was chosen by `BENCH_ONLY=gunicorn make bench`
# (docs/benchmarks.md, "Choosing gunicorn's settings"): under a minute of load
# its slowest answers were the quickest, in the least memory.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Connections a worker holds at once (kept-alive ones included); past them it
# accepts no more and the next worker takes them. Without a bound, one worker can
# accept every connection a client keeps open while the other idles, and serve
# them all from one core; with a bound as tight as the client's connections, one
# more (a member commenting) waits in the queue until a kept-alive one closes.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", threads * 3))
keepalive = 5
timeout = 30
# On SIGTERM (to gunicorn alone or to all its processes at once) workers stop
# accepting and finish the requests they hold; what is still running after this
# many seconds is killed, so gunicorn is gone within the 10 s a process manager
# gives before its own SIGKILL.
graceful_timeout = 8
# A worker is replaced after this many requests (give or take a tenth), a guard
# against memory that grows; the renders it kept stay with the server
# (library.caches.ServerStore). 0: never. A replaced worker starts cold, so under a
# burst each one shows in the slowest answers: at 100,000 one came every few minutes
# of a mailing's burst; at 1,000,000, about every half hour (docs/benchmarks.md,
# "Sustained load").
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000000"))
max_requests_jitter = max_requests // 10
# The site is loaded once, by gunicorn itself, and each worker forked from it: a
# replaced worker serves at once, with no second of imports on a busy core. A new
# release therefore needs a restart (systemctl restart), not a reload (HUP).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# The site writes a line for each request itself (library.web.middleware), with
# its id; gunicorn's own access log is off unless asked for.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# gunicorn's lines in the site's format (UTC, LOG_FORMAT=json for JSON), on the same
# standard error as the site's own.
logconfig_dict = logging_config(
    level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    loggers={
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # With a logging config gunicorn always logs access; INFO lines are kept
        # only when GUNICORN_ACCESS_LOG asks for them.
        "gunicorn.access": {"handlers": ["console"], "propagate": False,
                            "level": "INFO" if accesslog else "WARNING"},
    },
)
wsgi_app = "intercessors.wsgi:application"


def pre_fork(server, worker):
    """No database connection crosses into a worker: loading the site opens none, and
    should anything have opened one, it is closed before forking."""
    db = sys.modules.get("django.db")
    if db is not None:
        db.connections.close_all()


def worker_exit(server, worker):
    """A worker that stops writes the read counts waiting in its memory (articles.reads);
    one that never loaded the site has none. Its atexit function would too, but runs
    only if the worker leaves by a normal exit."""
    reads = sys.modules.get("articles.reads")
    if reads is not None:
        reads.write_buffer_at_exit()
