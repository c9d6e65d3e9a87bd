"""The site's log lines: one shape for the web server, Django and the job worker.

Each line has its time in UTC, its level, and the id of the request it belongs to
(`RequestIdFilter` reads it from a context variable the request-id middleware sets).
Plain text by default; LOG_FORMAT=json writes one JSON object a line for a log
collector. Standard library only: gunicorn's config file imports it before Django.
"""
import contextvars
import json
import logging
import os
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# What every LogRecord has; anything else on a record was given as `extra`.
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "request_id",
}
# Extras never written: Django's log calls pass the request itself, whose repr
# carries the query string.
_NEVER = {"request", "server_time"}


def utc_time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extras(record: logging.LogRecord) -> dict:
    return {
        key: value for key, value in vars(record).items()
        if key not in _RECORD_FIELDS and key not in _NEVER and not key.startswith("_")
        and isinstance(value, str | int | float | bool | type(None))
    }


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request (or "-") being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-01-31T12:00:00.000Z INFO [request id] logger: message key=value`"""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{key}={value}" for key, value in _extras(record).items())
        line = (f"{utc_time(record)} {record.levelname} "
                f"[{getattr(record, 'request_id', '-')}] {record.name}: {record.getMessage()}")
        if fields:
            line += " " + fields
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a traceback is a string field of it."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": utc_time(record),
            "level": record.levelname,
            "request_id": getattr(record, "request_id", "-"),
            "logger": record.name,
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


FORMATTERS = {"text": TextFormatter, "json": JsonFormatter}


def logging_config(*, level: str = "INFO", fmt: str | None = None,
                   loggers: dict | None = None) -> dict:
    """A `logging.config.dictConfig` dict writing to standard error in the chosen
    format (LOG_FORMAT: text or json), for Django's LOGGING and gunicorn's
    logconfig_dict alike."""
    fmt = (fmt or os.environ.get("LOG_FORMAT", "").strip() or "text").lower()
    if fmt not in FORMATTERS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATTERS)}, not {fmt!r}")
    formatter = FORMATTERS[fmt]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"site": {"()": formatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "site",
                                 "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": loggers or {},
    }
