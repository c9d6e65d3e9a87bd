"""Error reports to Sentry or GlitchTip, and what they may carry.

The SDK is told to collect nothing about people (no user fields, cookies, bodies,
query values or frame variables), and `before_send` scrubs each event again before it
leaves: what members wrote (prayer requests, comments) and who they are stay on
the site. Each event is tagged with the request's id, as in the log lines."""
import re
import subprocess
from pathlib import Path

from library.web import logs

FILTERED = "[Filtered]"
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# Keys whose values are secret wherever they appear in an event.
SECRET_KEY = re.compile(r"pass|pwd|secret|token|cookie|session|csrf|auth|api.?key", re.I)
# Request fields that hold what the visitor sent or who they are.
REQUEST_DROPPED = ("data", "cookies", "query_string", "env")
HEADERS_DROPPED = {"cookie", "authorization", "x-csrftoken", "proxy-authorization"}


def init_errors(dsn: str, *, release: str, environment: str, **options) -> None:
    """Start the SDK: from the settings when SENTRY_DSN is set, or from a test."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    off = {"mode": "off"}
    sentry_sdk.init(
        dsn=dsn, release=release, environment=environment,
        integrations=[DjangoIntegration()],
        before_send=before_send,
        # sentry-sdk 3's successor to send_default_pii=False, made stricter.
        data_collection={
            "user_info": False, "cookies": off, "http_bodies": [],
            "url_query_params": off, "stack_frame_variables": False,
            "database_query_data": False,
        },
        max_request_body_size="never",
        **options,
    )


def git_commit(folder: Path) -> str:
    """The commit checked out in `folder`, or "" where there is no git."""
    try:
        found = subprocess.run(["git", "-C", str(folder), "rev-parse", "--short=12", "HEAD"],
                               capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


# A path segment that is a signed token or key (a mail's link to leave, to pray, to
# confirm an address): long, and only the characters such tokens are made of.
TOKEN_SEGMENT = re.compile(r"[A-Za-z0-9_:.\-]{20,}")


def without_tokens(url: str) -> str:
    """The URL with each token in its path replaced by "<token>": the link itself
    works on its own, and an error report travels further than the site."""
    head, _, path = url.partition("://")
    host, slash, rest = path.partition("/")
    parts = [("<token>" if TOKEN_SEGMENT.fullmatch(part) else part)
             for part in rest.split("/")]
    return f"{head}://{host}{slash}{'/'.join(parts)}" if _ else url


def before_send(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        for field in REQUEST_DROPPED:
            request.pop(field, None)
        if isinstance(request.get("url"), str):
            request["url"] = without_tokens(request["url"])
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {name: value for name, value in headers.items()
                                  if name.lower() not in HEADERS_DROPPED}
    user = event.pop("user", None)
    if isinstance(user, dict) and user.get("id") is not None:
        event["user"] = {"id": user["id"]}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        if crumb.get("category") == "query":
            crumb.pop("data", None)  # the parameters: what was written
    rid = logs.request_id.get()
    if rid != "-":
        event.setdefault("tags", {})["request_id"] = rid
    return _scrub(event)


def _scrub(value):
    if isinstance(value, dict):
        return {key: FILTERED if isinstance(key, str) and SECRET_KEY.search(key)
                else _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return EMAIL.sub(FILTERED, value)
    return value
