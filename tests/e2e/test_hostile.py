"""The XSS corpus in a real browser: pages full of hostile text open no dialog and
run no injected script."""
from comments.models import Comment
from comments.targets import content_type_for
from library.text.markup import render_markdown
from states.models import State
from tests.factories import make_article, make_member
from tests.security.xss_payloads import PAYLOADS


def test_hostile_text_never_runs_in_the_browser(page, site, no_dialogs):
    author = make_member(display_name="<img src=x onerror=alert(1)>")
    post = make_article(
        title="Hostile <script>alert(1)</script>",
        body="\n\n".join(PAYLOADS),
        source_name="<svg onload=alert(1)>",
        photo_credit="\"><script>alert(1)</script>",
        prayer_text="Father <img src=x onerror=alert(1)>",
    )
    ct = content_type_for(post)
    Comment.objects.bulk_create(
        Comment(content_type=ct, object_id=post.pk, author=author, depth=1, body=payload,
                body_html=render_markdown(payload))
        for payload in PAYLOADS
    )
    texas = State.objects.get(code="TX")
    texas.note = "\n\n".join(PAYLOADS)
    texas.coordinator_name = "<script>alert(1)</script>"
    texas.save()
    for path in [post.get_absolute_url(), "/articles/", "/states/texas/",
                 "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E"]:
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # let any injected handler fire
        if path == post.get_absolute_url():
            assert page.locator(".comment-body").count() == len(PAYLOADS)
    # Any alert, confirm or prompt would have been recorded by the no_dialogs fixture.
