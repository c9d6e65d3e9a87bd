"""`manage.py qcluster`: the job worker, Django-Q2's cluster stopping in order and in
time on SIGTERM or SIGINT (library.cluster). It takes the place of Django-Q2's own
command, since django_q comes after library in INSTALLED_APPS."""
import logging
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from library.cluster import Cluster


class Command(BaseCommand):
    help = "Runs the job worker until SIGTERM or SIGINT, then stops it within 10 seconds."

    def handle(self, *args, **options):
        settings.SECRET_KEY  # noqa: B018 (jobs are signed with it: fail now, not in a worker)
        end(Cluster().serve())


def end(code: int) -> None:
    """Exit at once: the cluster is gone, and the interpreter's own teardown of the
    whole site takes up to a second of the stop's time, for nothing. What that
    teardown would have sent on, the error reports still held, is sent first."""
    if "sentry_sdk" in sys.modules:
        import sentry_sdk

        if sentry_sdk.is_initialized():
            sentry_sdk.flush(timeout=2)
    connections.close_all()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
