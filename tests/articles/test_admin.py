from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.utils import timezone

from articles.models import Article
from states.models import State
from tests.factories import make_member, make_topic


@pytest.fixture
def editor(db):
    user = make_member(display_name="Ed Itor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def article_form(**overrides):
    # Date and time of one moment: five minutes before 00:02 is yesterday's 23:57.
    moment = timezone.localtime() - timezone.timedelta(minutes=5)
    data = {
        "title": "A new prayer post",
        "slug": "a-new-prayer-post",
        "status": "published",
        "published_at_0": moment.strftime("%Y-%m-%d"),
        "published_at_1": moment.strftime("%H:%M:%S"),
        "summary": "",
        "body": "A staff-written excerpt.",
        "question": "How are you praying?",
        "source_name": "The Valley Voice",
        "source_url": "https://example.org/valley",
        "is_excerpt": "on",
        "photo_alt": "",
        "photo_credit": "",
        "topics": [make_topic("Faith").pk],
        "states": [State.objects.get(code="TX").pk],
        "prayer_text": "Father, we pray for the valley.",
    }
    data.update(overrides)
    return data


def test_editors_group_has_only_publishing_permissions(db):
    group = Group.objects.get(name="Editors")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "add_prayer", "view_state"} <= codenames
    assert {"change_state", "add_statecall", "change_comment"} <= codenames
    assert not {"change_user", "delete_user", "delete_state", "add_group"} & codenames


def test_editor_publishes_a_post_with_its_prayer(client, editor):
    client.force_login(editor)
    assert client.get("/admin/articles/article/add/").status_code == 200
    response = client.post("/admin/articles/article/add/", article_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="a-new-prayer-post")
    assert article.author == editor
    assert article.prayer.text == "Father, we pray for the valley."
    assert article.prayer.published_at == article.published_at
    # Its link, not its title, which admin's "added" message also shows.
    link = f'href="{article.get_absolute_url()}"'
    assert link in client.get("/articles/").content.decode()
    assert link in client.get("/articles/?state=texas").content.decode()


def test_a_post_needs_its_prayer(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/articles/article/add/", article_form(prayer_text="")
    )
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_admin_list_filters_and_search(client, editor):
    client.force_login(editor)
    client.post("/admin/articles/article/add/", article_form())
    client.post(
        "/admin/articles/article/add/",
        article_form(title="A draft about rain", slug="a-draft-about-rain", status="draft",
                     source_name="Weather Desk",
                     prayer_text="Father, we pray for rain."),
    )
    faith = make_topic("Faith")

    def titles(query):
        response = client.get("/admin/articles/article/" + query)
        assert response.status_code == 200
        return {a.title for a in response.context["cl"].result_list}

    assert titles("?status__exact=draft") == {"A draft about rain"}
    assert titles("?q=valley") == {"A new prayer post"}
    assert titles("?q=rain") == {"A draft about rain"}
    assert titles(f"?topics__id__exact={faith.pk}") == {"A new prayer post", "A draft about rain"}


def test_rescheduling_a_post_moves_its_prayer_too(client, editor):
    client.force_login(editor)
    client.post("/admin/articles/article/add/", article_form())
    article = Article.objects.get()
    later = timezone.localtime() + timezone.timedelta(days=3)
    data = article_form(
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )
    response = client.post(f"/admin/articles/article/{article.pk}/change/", data, follow=True)
    assert "Scheduled: “A new prayer post” appears on" in response.content.decode()
    article.refresh_from_db()
    article.prayer.refresh_from_db()
    assert article.prayer.published_at == article.published_at > timezone.now()


def test_staff_without_group_cannot_add_posts(client, db):
    client.force_login(make_member(is_staff=True))
    assert client.get("/admin/articles/article/add/").status_code == 403


def test_the_post_form_speaks_the_sites_words_with_the_prayer_first(client, editor):
    client.force_login(editor)
    index = client.get("/admin/").content.decode()
    assert "Prayer posts" in index and ">Articles<" not in index
    form = client.get("/admin/articles/article/add/").content.decode()
    assert form.index('name="prayer_text"') < form.index('name="title"')
    assert "Publish at" in form and "schedules the post" in form
    # Times are the site's; the browser's "you are N hours ahead" note is hidden, by a
    # style sheet (the site's policy allows no inline style).
    assert "/static/css/admin.css" in form and "<style>" not in form
    assert ".timezonewarning { display: none" in Path(finders.find("css/admin.css")).read_text()
