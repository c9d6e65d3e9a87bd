"""A WSGI app for the tests of gunicorn's own settings (gunicorn.conf.py): it answers
after as many seconds as its path says (`/2.5`), with the id of the gunicorn that
answered (its workers' parent)."""
import os
import time


def application(environ, start_response):
    time.sleep(float(environ.get("PATH_INFO", "/").strip("/") or 0))
    body = str(os.getppid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
