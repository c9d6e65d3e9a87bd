"""gunicorn settings for production and the benchmark; each can be overridden
by its GUNICORN_* environment variable."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let a worker keep serving while one request waits on the database;
# the default of 2 workers per core with 4 threads each was chosen by `make bench`.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 20
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
wsgi_app = "intercessors.wsgi:application"
