"""The daily email's "Most prayed this week" and "Most read this week": links to the
posts, in its HTML and its text, worked out once per edition, not per reader."""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from articles.models import ReadDay
from prayers.models import PrayerMark
from tests.factories import make_article, make_member
from tests.mailbox import delivered
from updates import editions, mailer
from updates.models import Subscriber


def readers(count=1):
    for n in range(count):
        Subscriber.objects.create(email=f"reader{n}@example.org", daily=True,
                                  confirmed_at=timezone.now())


def week_of_posts():
    """A post prayed by three this week, one read by 1,234, and today's post."""
    prayed = make_article(title="Flood relief", published_at=timezone.now() - timedelta(days=2))
    PrayerMark.objects.bulk_create(PrayerMark(user=make_member(), prayer=prayed.prayer)
                                   for _ in range(3))
    read = make_article(title="Wildfire crews", published_at=timezone.now() - timedelta(days=3))
    ReadDay.objects.create(article=read, day=timezone.localdate(), readers=1234)
    make_article(title="Levee holds", published_at=timezone.now() - timedelta(minutes=30))
    return prayed, read


def test_the_daily_email_lists_the_weeks_most_prayed_and_read_in_both_parts(db):
    prayed, read = week_of_posts()
    readers()
    editions.send("daily")
    editions.fan_out()
    (message,) = delivered()
    prayed_link = settings.SITE_URL + prayed.get_absolute_url()
    read_link = settings.SITE_URL + read.get_absolute_url()
    assert prayed_link.startswith("http")
    text = message.body
    assert "MOST PRAYED THIS WEEK\n\nFlood relief (3 prayed this week)\n" + prayed_link in text
    assert "MOST READ THIS WEEK\n\nWildfire crews (1,234 read this week)\n" + read_link in text
    html = message.alternatives[0][0]
    assert ">Most prayed this week</h2>" in html and ">Most read this week</h2>" in html
    assert f'<a href="{prayed_link}"' in html and f'<a href="{read_link}"' in html
    assert "3 prayed this week" in html and "1,234 read this week" in html


def test_a_list_with_nothing_in_it_is_left_out(db):
    make_article(title="Levee holds", published_at=timezone.now() - timedelta(minutes=30))
    readers()
    editions.send("daily")
    editions.fan_out()
    (message,) = delivered()
    for part in (message.body, message.alternatives[0][0]):
        assert "this week" not in part.lower()


def test_the_lists_are_worked_out_once_per_edition_and_rendered_once_per_batch(
        db, monkeypatch):
    week_of_posts()
    readers(5)
    counted, rendered = [], []
    rankings, render = editions.week_rankings, mailer.render_mail
    monkeypatch.setattr(editions, "week_rankings",
                        lambda **kw: counted.append(kw) or rankings(**kw))
    monkeypatch.setattr(mailer, "render_mail",
                        lambda *a, **kw: rendered.append(a) or render(*a, **kw))
    editions.send("daily")
    assert editions.fan_out(batch=2) == 5
    assert len(counted) == 1 and len(rendered) == 3  # five readers, batches of two
    assert all("Flood relief (3 prayed this week)" in m.body for m in delivered())
