"""A real browser fetches the post page's reading counter under the site's strict
Content-Security-Policy, and its reader is counted once."""
from articles import reads
from articles.models import Article, ReadDay

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def test_a_browser_reading_a_post_is_counted_once(browser, site):
    reads.buffer.take()
    post = Article.objects.published().order_by("-published_at").first()
    context = browser.new_context(user_agent=PHONE)
    try:
        page = context.new_page()
        refused = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        with page.expect_response(lambda r: r.url.endswith(f"/articles/{post.pk}/read.gif")
                                  ) as counted:
            page.goto(site.url + post.get_absolute_url())
        assert counted.value.status == 200
        page.reload(wait_until="networkidle")
    finally:
        context.close()
    assert refused == []
    reads.write_buffer()
    assert sum(ReadDay.objects.filter(article=post).values_list("readers", flat=True)) == 1
