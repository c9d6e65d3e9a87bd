"""A browser that prayed from the mail: the post page says "You prayed" and asks it
to subscribe no more, filled from a signed cookie into the page every reader shares."""
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from library.caches import page_store
from library.pages.pagecache import Render
from prayers import inbox
from tests.factories import make_article
from updates import services
from updates.models import Subscriber

SIGN_UP = "Get prayer updates by email"


@pytest.fixture
def post(db):
    return make_article(title="Levee holds", published_at=timezone.now() - timedelta(minutes=30))


def subscriber():
    return Subscriber.objects.create(email="ruth.reader@example.org", daily=True,
                                     confirmed_at=timezone.now())


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def prayed_from_the_inbox(post) -> Client:
    browser = Client()
    response = browser.post(path_of(services.pray_url(subscriber(), post.prayer)))
    assert response.status_code == 302
    return browser


def headline_button(html):
    return html.split("data-pray-button>", 1)[1].split("<", 1)[0]


def test_after_praying_from_the_mail_the_shared_post_says_you_prayed(post, settings):
    settings.PAGE_CACHE = True
    page_store().clear()
    url = post.get_absolute_url()
    browser = prayed_from_the_inbox(post)
    cookie = browser.cookies[inbox.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600

    anyone = Client().get(url).content.decode()
    kept = [v for key in page_store().keys()
            if isinstance(v := page_store().get(key), Render)]
    assert len(kept) == 1  # one render, shared by both browsers
    theirs = browser.get(url).content.decode()
    theirs = browser.get(url).content.decode()  # the message shown, the page as it stays
    assert len([v for key in page_store().keys()
                if isinstance(page_store().get(key), Render)]) == 1

    assert headline_button(theirs) == "You prayed" and SIGN_UP not in theirs
    assert f'action="/prayers/{post.prayer.pk}/unprayed/' not in theirs  # nothing sends to log in
    assert headline_button(anyone) == "I Prayed" and SIGN_UP in anyone
    # and a guest after them still gets the page of everyone
    again = Client().get(url).content.decode()
    assert headline_button(again) == "I Prayed" and SIGN_UP in again


def test_the_cookie_keeps_the_last_prayers_and_ignores_a_forged_one(post, settings):
    browser = prayed_from_the_inbox(post)
    value = browser.cookies[inbox.COOKIE].value
    request = RequestFactory().get("/")
    request.COOKIES[inbox.COOKIE] = value
    assert inbox.read(request) == (True, frozenset({post.prayer.pk}))
    ids = inbox.kept([*range(1, 400), post.prayer.pk], post.prayer.pk)
    assert len(ids) == inbox.KEPT and ids[-1] == post.prayer.pk

    forged = Client()
    forged.cookies[inbox.COOKIE] = value.replace(str(post.prayer.pk), str(post.prayer.pk + 1), 1)
    html = forged.get(post.get_absolute_url()).content.decode()
    assert headline_button(html) == "I Prayed" and SIGN_UP in html
