"""Recordings: audio checked by its content and size, listed with a player, and a
podcast feed with what podcast apps read."""
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from events.models import Recording
from tests.events.audio import m4a_head, silent_mp3
from tests.factories import make_event, make_member

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


@pytest.fixture
def past_call(db):
    return make_event(title="National call", start=datetime(2026, 11, 3, 19, 0),
                      repeat="weekly", repeat_count=4)


def _recording(event, content, name="call.mp3", day=date(2026, 11, 10), **extra):
    recording = Recording(event=event, occurrence_date=day,
                          audio=SimpleUploadedFile(name, content), **extra)
    recording.full_clean()
    recording.save()
    return recording


def test_audio_is_told_by_its_content_not_its_name(past_call):
    mp3 = _recording(past_call, silent_mp3(0.5), name="anything.bin")
    assert (mp3.content_type, mp3.size) == ("audio/mpeg", len(silent_mp3(0.5)))
    m4a = _recording(past_call, m4a_head(), name="call.m4a", day=date(2026, 11, 17))
    assert m4a.content_type == "audio/mp4" and m4a.audio.name.endswith(".m4a")
    with pytest.raises(ValidationError, match="not MP3 or M4A audio"):
        _recording(past_call, b"<html>not a sound</html>", name="call.mp3",
                   day=date(2026, 11, 24))


def test_a_recording_too_large_is_refused_with_the_limit(past_call, settings):
    settings.EVENT_RECORDING_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="recordings may be at most 1000"):
        _recording(past_call, silent_mp3(1))


def test_a_recording_needs_a_past_date_of_its_event(past_call):
    with pytest.raises(ValidationError, match="did not happen on this date"):
        _recording(past_call, silent_mp3(0.2), day=date(2026, 11, 11))
    future = make_event(title="Next call")
    with pytest.raises(ValidationError, match="Only a date that has passed"):
        _recording(future, silent_mp3(0.2), day=future.start_date)


def test_staff_upload_in_admin_and_bad_audio_comes_back_with_a_message(client, past_call):
    client.force_login(make_member(is_staff=True, is_superuser=True))
    url = f"/admin/events/event/{past_call.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value)
            for name, value in form.initial.items() if name in form.fields}
    data.update({"state": "", "repeat_until": "", "start_date": "2026-11-03",
                 "end_date": "2026-11-03", "start_time": "19:00", "end_time": "20:00",
                 "recordings-TOTAL_FORMS": "1", "recordings-INITIAL_FORMS": "0",
                 "recordings-MIN_NUM_FORMS": "0", "recordings-MAX_NUM_FORMS": "1000",
                 "recordings-0-occurrence_date": "2026-11-10",
                 "recordings-0-published_at_0": "2026-11-11",
                 "recordings-0-published_at_1": "09:00:00",
                 "recordings-0-audio": SimpleUploadedFile("call.mp3", b"GIF89a not audio")})
    response = client.post(url, data)
    assert response.status_code == 200 and "not MP3 or M4A audio" in response.content.decode()
    assert not Recording.objects.exists()
    data["recordings-0-audio"] = SimpleUploadedFile("call.mp3", silent_mp3(0.5))
    assert client.post(url, data).status_code == 302
    assert Recording.objects.get().content_type == "audio/mpeg"


def test_the_podcast_feed_has_enclosures_guids_dates_and_itunes_tags(client, past_call,
                                                                      settings):
    settings.SITE_URL = "https://pray.example.org"
    first = _recording(past_call, silent_mp3(0.5), notes="We prayed for the harvest.",
                       published_at=datetime(2026, 11, 11, 14, 0).astimezone())
    _recording(past_call, m4a_head(), name="b.m4a", day=date(2026, 11, 17))
    response = client.get("/events/recordings/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    assert channel.find(f"{ITUNES}image").get("href").startswith("https://pray.example.org/")
    assert channel.find(f"{ITUNES}category").get("text") == "Religion & Spirituality"
    assert channel.find(f"{ITUNES}explicit").text == "false"
    assert channel.find(f"{ITUNES}author").text
    items = channel.findall("item")
    assert len(items) == 2
    newest, older = items  # newest date first
    enclosure = older.find("enclosure")
    assert enclosure.get("url") == "https://pray.example.org" + first.audio.url
    assert int(enclosure.get("length")) == len(silent_mp3(0.5))
    assert enclosure.get("type") == "audio/mpeg"
    assert newest.find("enclosure").get("type") == "audio/mp4"
    assert older.find("guid").text == f"recording-{first.pk}@pray.example.org"
    assert older.find("guid").get("isPermaLink") == "false"
    assert parsedate_to_datetime(older.find("pubDate").text) == first.published_at
    assert older.find(f"{ITUNES}summary").text == "We prayed for the harvest."
    assert older.find("title").text == "National call, November 10, 2026"


def test_the_recordings_page_plays_each_in_the_page(client, past_call, running_site,
                                                    django_assert_num_queries):
    recording = _recording(past_call, silent_mp3(0.5))
    html = client.get("/events/recordings/").content.decode()
    assert f'<audio controls preload="none" src="{recording.audio.url}">' in html
    assert 'type="application/rss+xml"' in html
    with django_assert_num_queries(1):
        client.get("/events/recordings/")
