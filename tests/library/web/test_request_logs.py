"""Each request's id and its log lines (library.web.middleware, library.web.logs)."""
import json
import logging
import re
from datetime import datetime

import pytest
from django.test import Client

from library.web.logs import JsonFormatter, RequestIdFilter, TextFormatter, logging_config
from tests.factories import make_member


class Lines(logging.Handler):
    def __init__(self, formatter):
        super().__init__(level=logging.INFO)
        self.setFormatter(formatter)
        self.addFilter(RequestIdFilter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def json_lines():
    handler, root = Lines(JsonFormatter()), logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
@pytest.mark.urls("tests.library.web.urls_failing")
def test_every_line_of_a_request_is_json_with_its_id_and_no_address_or_query(json_lines):
    member = make_member(email="hidden.person@example.org")
    client = Client(raise_request_exception=False)
    client.force_login(member)

    response = client.post("/test-failing/?email=hidden.person@example.org&q=secretword",
                           {"body": "Please pray for my sister"})

    assert response.status_code == 500
    rid = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    entries = [json.loads(line) for line in json_lines]  # every line is one JSON object
    assert len(entries) >= 3  # the view's own line, Django's error, the request's line
    assert {entry["request_id"] for entry in entries} == {rid}
    for line in json_lines:
        assert "hidden.person" not in line
        assert "secretword" not in line and "Please pray" not in line
    for entry in entries:
        assert entry["time"].endswith("Z")
        assert datetime.fromisoformat(entry["time"]).utcoffset().total_seconds() == 0
    [request_line] = [entry for entry in entries if entry["logger"] == "library.requests"]
    assert request_line["member"] == member.pk
    assert request_line["method"] == "POST"
    assert request_line["path"] == "/test-failing/"
    assert request_line["status"] == 500
    assert request_line["level"] == "INFO"
    assert isinstance(request_line["duration_ms"], float)
    assert any("ValueError" in entry.get("exception", "") for entry in entries)


@pytest.mark.django_db
def test_each_request_has_its_own_id_and_a_guest_has_no_member(client, json_lines):
    first, second = client.get("/robots.txt"), client.get("/robots.txt")

    assert first["X-Request-ID"] != second["X-Request-ID"]
    requests = [json.loads(line) for line in json_lines
                if json.loads(line)["logger"] == "library.requests"]
    assert [entry["request_id"] for entry in requests] == [
        first["X-Request-ID"], second["X-Request-ID"]]
    assert all(entry["member"] is None for entry in requests)


@pytest.mark.django_db
@pytest.mark.parametrize("given, kept", [
    ("0f8c2d4e-6a1b-4c3d-9e8f-123456789abc", True),
    ("abcdEFGH_1234", True),
    ("short", False),
    ("has spaces in it", False),
    ("x" * 65, False),
    ("<script>alert(1)</script>", False),
    ("line\nbreak-12345", False),
])
def test_an_incoming_request_id_is_kept_only_when_it_looks_like_one(client, given, kept):
    response = client.get("/robots.txt", headers={"X-Request-ID": given})

    assert (response["X-Request-ID"] == given) is kept
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", response["X-Request-ID"])


def test_plain_text_lines_carry_utc_time_and_the_request_id():
    record = logging.LogRecord("library.requests", logging.INFO, __file__, 1,
                               "%s %s %s", ("GET", "/", 200), None)
    record.request_id, record.status = "abcdef012345", 200

    line = TextFormatter().format(record)

    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO \[abcdef012345\] "
        r"library\.requests: GET / 200 status=200", line)


def test_log_format_json_chooses_the_json_formatter(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert logging_config()["formatters"]["site"]["()"] is JsonFormatter
    assert logging_config(fmt="text")["formatters"]["site"]["()"] is TextFormatter
    with pytest.raises(ValueError):
        logging_config(fmt="xml")


def test_a_mails_secret_link_is_logged_as_its_pattern_not_its_token(json_lines, db):
    from django.utils import timezone

    from updates.models import Subscriber

    reader = Subscriber.objects.create(email="ruth@example.org", daily=True,
                                       confirmed_at=timezone.now())
    token = reader.leave_token
    assert Client().get(f"/updates/leave/{token}/").status_code == 200
    [line] = [json.loads(line) for line in json_lines if '"path"' in line]
    assert line["path"] == "/updates/leave/<str:token>/"
    assert all(token not in text for text in json_lines)
