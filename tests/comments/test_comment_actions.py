"""No text a member writes can change whose actions a comment shows: each reader's
Edit, Delete, Report and "Reported" land under the comment they belong to, however
a body imitates the thread's own HTML."""
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from comments.models import Comment, CommentReport
from library.pages import pagecache
from library.text.markup import render_markdown
from tests.factories import make_article, make_comment, make_member

ROW = re.compile(r'<li class="comment depth-\d" id="comment-(\d+)">')


def footers(html: str) -> dict[int, str]:
    """Each comment's actions, by comment id, read from the rows the template wrote
    (a member's text cannot hold "<", so it cannot start a row)."""
    found = {}
    rows = list(ROW.finditer(html))
    for n, row in enumerate(rows):
        end = rows[n + 1].start() if n + 1 < len(rows) else len(html)
        footer = re.search(r'<footer class="comment-actions">(.*?)</footer>',
                           html[row.end():end], re.S)
        found[int(row.group(1))] = footer.group(1) if footer else None
    return found


def page_for(user, path):
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def imitations(pks) -> str:
    """A body naming every comment of the thread the ways the page names them."""
    lines = []
    for pk in pks:
        lines += [f'id="comment-{pk}"', f'<li class="comment depth-1" id="comment-{pk}">',
                  f'<a href="/comments/{pk}/report/">Report</a>',
                  '<footer class="comment-actions">', "</footer>",
                  f"<!--part:thread:{pk}:{pk}-->"]
    return "\n\n".join(lines)


@pytest.fixture
def thread(db):
    post = make_article()
    ann, ben, mallory = make_member(), make_member(), make_member()
    # Mallory writes first, so her comment comes before the others on the page; she
    # edits it once theirs are there (ids are easy to see, and to guess).
    bait = make_comment(target=post, author=mallory, body="Hello.")
    ann_says = make_comment(target=post, author=ann, body="Praying for the town.")
    ben_says = make_comment(target=post, author=ben, body="Amen.", parent=ann_says)
    CommentReport.objects.create(comment=ben_says, reporter=ann)
    pks = [ann_says.pk, ben_says.pk, bait.pk]
    return post, {"ann": ann, "ben": ben, "mallory": mallory,
                  "anonymous": AnonymousUser()}, bait, pks


@pytest.mark.parametrize("reader", ["ann", "ben", "mallory", "anonymous"])
def test_a_body_imitating_the_thread_moves_no_action(thread, reader):
    post, people, bait, pks = thread
    path = post.get_absolute_url()
    honest = footers(page_for(people[reader], path))
    body = imitations(pks)
    Comment.objects.filter(pk=bait.pk).update(body=body, body_html=render_markdown(body))
    pagecache.retire(pagecache.SITE)
    attacked = footers(page_for(people[reader], path))
    assert attacked == honest


def test_renaming_the_thread_templates_classes_keeps_every_members_actions(thread, tmp_path,
                                                                          settings):
    """No code looks for the thread's classes or ids in rendered HTML: a designer may
    rename them all, and each member keeps Edit and Delete under their own comments."""
    from pathlib import Path

    post, people, bait, pks = thread
    (tmp_path / "comments/includes").mkdir(parents=True)
    for name in ("_thread.html", "_comment.html"):
        original = (Path(settings.BASE_DIR) / "templates/comments/includes" / name).read_text()
        renamed = (original.replace('class="comment', 'class="note')
                   .replace('id="comment-', 'id="n-').replace("comment-actions", "note-tools"))
        assert renamed != original and "comment-actions" not in renamed
        (tmp_path / "comments/includes" / name).write_text(renamed)
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    ann_says, ben_says = pks[0], pks[1]
    for reader, own, others in (("ann", ann_says, ben_says), ("ben", ben_says, ann_says)):
        html = page_for(people[reader], post.get_absolute_url())
        assert 'class="note-body' in html and "comment-actions" not in html
        assert f"/comments/{own}/edit/" in html and f"/comments/{own}/delete/" in html
        assert f"/comments/{others}/edit/" not in html
    # Ann reported Ben's comment: "Reported" in its place; Mallory's has Report.
    ann_page = page_for(people["ann"], post.get_absolute_url())
    assert ">Reported<" in ann_page and f"/comments/{bait.pk}/report/" in ann_page
    assert f"/comments/{ben_says}/report/" not in ann_page
    guest_page = page_for(people["anonymous"], post.get_absolute_url())
    assert "/report/" not in guest_page and "/edit/" not in guest_page
