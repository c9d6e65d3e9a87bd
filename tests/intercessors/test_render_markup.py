"""`manage.py render_markup` renders stored Markdown again with today's cleaning:
what changed is written, with the prayers' gathered updates; nothing else is."""
from io import StringIO

from django.core.management import call_command

from comments.models import Comment
from prayers.followup import add_update
from prayers.models import Prayer, PrayerUpdate
from states.models import State
from tests.factories import make_article, make_comment, make_member, make_request


def run(*args):
    out = StringIO()
    call_command("render_markup", *args, stdout=out)
    return out.getvalue()


def test_stale_renderings_are_rendered_again(db):
    member = make_member()
    post = make_article(body="See www.example.org for the **news**.")
    fresh = make_comment(target=post, author=member, body="Praying at example.church.")
    stale = make_comment(target=post, author=member, body="Amen, **www.example.org**.")
    Comment.objects.filter(pk=stale.pk).update(
        body_html='<p>Amen, <a href="http://www.example.org">www.example.org</a>.</p>')
    request = make_request(author=member, text="Please pray for *rain*.")
    Prayer.objects.filter(pk=request.pk).update(body_html="<p>old</p>")
    add_update(prayer=request, user=member, text="It rained, praise God.", answered=True)
    PrayerUpdate.objects.update(body_html="<p>It rained, praise God!</p>")
    Prayer.objects.filter(pk=request.pk).update(answer_html="<p>It rained, praise God!</p>",
                                                updates_html="old")
    texas = State.objects.get(code="TX")
    State.objects.filter(pk=texas.pk).update(note="Pray at www.example.org", note_html="")

    assert "comments.Comment.body_html: 2 read, 1 would change" in run("--dry-run")
    assert "<strong>" not in Comment.objects.get(pk=stale.pk).body_html

    out = run()
    assert "comments.Comment.body_html: 2 read, 1 changed" in out
    assert "prayers.Prayer.body_html: 1 read, 1 changed" in out
    assert "prayers.PrayerUpdate.body_html: 1 read, 1 changed" in out
    assert "articles.Article.body_html: 1 read, 0 changed" in out
    assert "<strong>" in Comment.objects.get(pk=stale.pk).body_html
    assert Comment.objects.get(pk=fresh.pk).body_html == fresh.body_html
    request.refresh_from_db()
    assert request.body_html == "<p>Please pray for <em>rain</em>.</p>"
    assert request.answer_html == "<p>It rained, praise God.</p>"
    assert "It rained, praise God." in request.updates_html
    assert 'href="http://www.example.org"' in State.objects.get(pk=texas.pk).note_html

    assert "1 changed" not in run()  # a second run has nothing to do


def test_members_writing_gains_no_link_no_one_checked(db):
    """A comment that was plain text under the old cleaning and would now carry a
    link keeps its rendering, and is named for staff."""
    member = make_member()
    post = make_article()
    comment = make_comment(target=post, author=member, body="Visit www.example.org today")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>Visit www.example.org today</p>")
    out = run()
    assert "comments.Comment.body_html: 1 read, 0 changed" in out
    assert f"1 kept as they were: rendered again they would carry links no one checked " \
           f"(ids {comment.pk})" in out
    assert Comment.objects.get(pk=comment.pk).body_html == "<p>Visit www.example.org today</p>"
