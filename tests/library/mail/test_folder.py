"""Development mail as files: each message whole in its own `.eml`, one log line each."""
import logging
from datetime import datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection

EASTERN = ZoneInfo("America/New_York")


@pytest.fixture
def folder(settings, tmp_path):
    settings.DEV_MAIL_DIR = tmp_path / "var" / "mail"  # made on the first mail
    return settings.DEV_MAIL_DIR


def send(subject, to="ruth@example.org", body="Thank you for praying.\n"):
    message = EmailMultiAlternatives(subject, body, "Intercessors <hello@example.org>", [to])
    message.attach_alternative(f"<p>{body}</p>", "text/html")
    return get_connection("library.mail.folder.EmailBackend").send_messages([message])


def read(path):
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def test_each_mail_is_kept_whole_with_one_log_line(folder, caplog, time_machine):
    time_machine.move_to(datetime(2026, 12, 7, 9, 45, 1, tzinfo=EASTERN), tick=False)
    with caplog.at_level(logging.INFO, logger="library.mail"):
        assert send("Your prayer was answered", body="Read the praise note:\n"
                    "http://127.0.0.1:8000/prayers/requests/7/\n") == 1
    [path] = folder.iterdir()
    assert path.name.startswith("20261207-094501-")
    assert path.name.endswith("-your-prayer-was-answered.eml")
    mail = read(path)
    assert (mail["Subject"], mail["To"]) == ("Your prayer was answered", "ruth@example.org")
    text = mail.get_body(("plain",)).get_content()
    assert "http://127.0.0.1:8000/prayers/requests/7/" in text
    assert mail.get_body(("html",)) is not None
    [record] = [r for r in caplog.records if r.name == "library.mail"]
    line = record.getMessage()
    assert "\n" not in line and "Read the praise note" not in line
    assert "Your prayer was answered" in line and "ruth@example.org" in line
    assert str(path) in line
    # Nothing half-written is left beside it.
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_a_subject_with_odd_characters_makes_a_plain_file_name(folder, caplog):
    subject = "Prière / «Texas» ☀ ../../etc\\passwd: 100% *answered*?"
    with caplog.at_level(logging.INFO, logger="library.mail"):
        send(subject)
    [path] = folder.iterdir()
    assert path.parent == folder
    assert path.name.endswith("-priere-texas-etcpasswd-100-answered.eml")
    assert read(path)["Subject"].strip() == subject
    assert len([r for r in caplog.records if r.name == "library.mail"]) == 1


def test_a_subject_with_nothing_to_name_a_file_by(folder):
    send("☀☀☀")
    [path] = folder.iterdir()
    assert path.name.endswith("-mail.eml")


def test_two_mails_in_the_same_second_are_two_files(folder, time_machine):
    time_machine.move_to(datetime(2026, 12, 7, 9, 45, 1, tzinfo=EASTERN), tick=False)
    send("Daily prayer email", to="anna@example.org")
    send("Daily prayer email", to="simeon@example.org")
    paths = sorted(folder.iterdir())
    assert len(paths) == 2
    assert {read(p)["To"] for p in paths} == {"anna@example.org", "simeon@example.org"}



def test_a_subject_with_a_line_break_is_refused_as_by_every_backend(folder, caplog):
    from django.core.mail import BadHeaderError

    with caplog.at_level(logging.INFO, logger="library.mail"), pytest.raises(BadHeaderError):
        send("Prayer updates\nBcc: everyone@example.org")
    assert not folder.exists() or not any(folder.iterdir())
    assert not [r for r in caplog.records if r.name == "library.mail"]
