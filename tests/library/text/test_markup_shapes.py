"""Markdown shapes that cost more than linear time, or recurse without end, are
rendered as the plain text they are; ordinary writing is left exactly as it was."""
import re

import pytest

from comments.models import MAX_LENGTH, Comment
from intercessors.demo.posts import POSTS
from library.text.markup import (
    INLINE_BUDGET,
    MAX_NESTING,
    MIN_LINES,
    PLAIN,
    render_markdown,
    tame,
)
from tests.factories import make_article

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

# Each at the comment size limit; before, the slowest took seconds and one crashed.
PATHOLOGICAL = {
    "open brackets": "[" * MAX_LENGTH,
    "images never closed": "![" * (MAX_LENGTH // 2),
    "brackets in code": "`[" * (MAX_LENGTH // 2),
    "links never closed": "[a](" * (MAX_LENGTH // 4),
    "references never closed": "[a][" * (MAX_LENGTH // 4),
    "nested brackets": "[" * (MAX_LENGTH // 2) + "]" * (MAX_LENGTH // 2),
    "ordered lists on one line": "1. " * (MAX_LENGTH // 3),
    "bullets on one line": "- " * (MAX_LENGTH // 2),
    "bullets with tabs": "+\t" * (MAX_LENGTH // 2),
    "quotes on one line": "> " * (MAX_LENGTH // 2),
    "quotes and lists": "> 1. - " * (MAX_LENGTH // 7),
    "opening parentheses": "(" * MAX_LENGTH,
    "numbered dashes": "-1." * (MAX_LENGTH // 3),
    "short paragraphs of brackets": ("[" * 400 + "\n\n") * (MAX_LENGTH // 402),
    "underlined lines": "a\n=\n" * (MAX_LENGTH // 4),
    "a dash on every line": "-\n" * (MAX_LENGTH // 2),
    "rules": "---\n" * (MAX_LENGTH // 4),
    "backticks never closed": "``\\" * (MAX_LENGTH // 3),
    "stars never closed": "***" + "a*" * ((MAX_LENGTH - 3) // 2),
    # A lone carriage return is a line break to Markdown.
    "lists after a carriage return": "x\r\r" + "1. " * ((MAX_LENGTH - 3) // 3),
    "quotes after a carriage return": "x\r" + ">" * (MAX_LENGTH - 2),
    "brackets hidden in code": "[`]`" * (MAX_LENGTH // 4),
    # Python-Markdown takes a number of any length for a list marker (it crashed).
    "lists after a long number": "1" * 564 + "1. " * 1479,
}

# One long link reference, used on every line: the page would be megabytes.
AMPLIFIED = {
    "a long reference":
        ("[a]: http://e.org/?" + "&" * 2486 + "\n\n" + "[a]\n\n" * 500)[:MAX_LENGTH],
    "a long title": ('[a]: http://e.org/ "' + '"' * 2400 + '"\n\n' + "[a]\n\n" * 500)[:MAX_LENGTH],
}


@pytest.mark.parametrize("text", AMPLIFIED.values(), ids=AMPLIFIED.keys())
def test_link_references_cannot_multiply_the_page(text):
    assert len(render_markdown(text)) < 10 * len(text)


def test_windows_line_endings_render_as_unix_ones():
    paragraph = "Pray for [the town](https://example.org/a) and *them* [here](https://example.org/b)."
    crlf = render_markdown("\r\n\r\n".join([paragraph] * 40))
    assert crlf == render_markdown("\n\n".join([paragraph] * 40))
    assert crlf.count("<a ") == 80 and crlf.count("<em>") == 40


def test_many_ordinary_links_and_emphasis_in_one_paragraph_are_left_alone():
    links = " ".join(f"[source {n}](https://example.org/{n})" for n in range(50))
    emphasis = " ".join("***Amen*** and amen, we pray together" for _ in range(20))
    assert tame(links) == links and tame(emphasis) == emphasis


def test_plain_domain_names_become_links_and_emails_do_not():
    html = render_markdown("Visit example.org/news, or write to a@example.net.")
    assert '<a href="http://example.org/news"' in html and "example.net</a>" not in html

# Linear, but each piece an element of its own: bounded in number.
# Every line may open a paragraph or an item: the lines past the limit join the
# last. (Inline elements, a few characters each, render within the goal: make
# markdown-fuzz has them, "*a*" and "_&" among its pairs.)
MANY_ELEMENTS = {
    "one-character paragraphs": "*\n\n" * (MAX_LENGTH // 3),
    "one-item lines": "- a\n" * (MAX_LENGTH // 4),
}


@pytest.fixture
def link_scans(monkeypatch):
    """Counts the characters Markdown reads looking for the ends of links: the work that
    grew with the square of the text (counted, not timed, so the test cannot flake)."""
    from markdown.inlinepatterns import LinkInlineProcessor

    read = [0]
    for name, position in (("getText", 1), ("getLink", 2)):
        original = getattr(LinkInlineProcessor, name)

        def counted(self, data, index, _original=original, _position=position):
            result = _original(self, data, index)
            read[0] += result[_position] - index
            return result

        monkeypatch.setattr(LinkInlineProcessor, name, counted)
    return read


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_shapes_render_as_harmless_text(text, link_scans):
    html = render_markdown(text)
    assert link_scans[0] <= INLINE_BUDGET
    assert "<a " not in html and "<img" not in html
    # Lists and quotes nest no deeper than the markers we allow on one line.
    depth = max_depth = 0
    for tag in re.finditer(r"<(/?)(ol|ul|blockquote)>", html):
        depth += -1 if tag.group(1) else 1
        max_depth = max(max_depth, depth)
    assert max_depth <= MAX_NESTING


@pytest.mark.parametrize("text", MANY_ELEMENTS.values(), ids=MANY_ELEMENTS.keys())
def test_the_number_of_elements_is_bounded(text):
    html = render_markdown(text)
    elements = len(re.findall(r"<(p|li|em|strong|code|hr|h\d)\b", html))
    assert elements <= 2 * MIN_LINES


def test_a_long_list_of_ordinary_lines_is_left_alone():
    text = "\n".join(f"- Pray for family number {n}" for n in range(150))
    assert tame(text) == text
    assert render_markdown(text).count("<li>") == 150


def test_the_link_scan_is_bounded_across_the_whole_text():
    # Many paragraphs each under a paragraph's share still add up.
    text = tame(("[" * 300 + "\n\n") * 16)
    assert text.count(PLAIN["["]) >= 300 * 10


def test_escaped_brackets_stay_escaped():
    assert tame("\\[" * 3000) == "\\[" * 3000
    assert "\\\\[" not in tame("\\[" * 3000 + "[" * 2000)


def test_ordinary_writing_is_left_exactly_as_it_was():
    samples = [
        "Father, we pray for [the families](https://example.org/news) of the town.",
        "1. Pray for the mayor\n2. Pray for the nurses\n   - and their families\n",
        "> Be still, and know\n> > that I am God\n\nAmen.",
        "See https://example.org/a_(b) and [this][1].\n\n[1]: https://example.org",
        "- a\n    - b\n        - c\n            - d\n",
        "Psalm 46:10 says it [plainly], **so** we _wait_.",
    ]
    samples += [post["body"] for post in POSTS] + [post["prayer"] for post in POSTS]
    for sample in samples:
        assert tame(sample) == sample


def test_links_in_a_long_article_survive(db):
    paragraph = " ".join(f"[source {n}](https://example.org/{n})" for n in range(30))
    html = render_markdown("\n\n".join([paragraph] * 20), rich=True)
    assert html.count("<a ") == 600


def test_bare_addresses_still_become_links():
    html = render_markdown("Read (https://example.org/a) or www.example.org, then pray.")
    assert '<a href="https://example.org/a"' in html
    assert '<a href="http://www.example.org"' in html
    assert "example.org/a)" not in html.split("</a>")[0]


def link(address, href=None):
    return f'<a href="{href or address}" rel="nofollow ugc noopener">{address}</a>'


@pytest.mark.parametrize(("text", "html"), [
    ("Visit example.org.", f"<p>Visit {link('example.org', 'http://example.org')}.</p>"),
    ("(see www.example.org/news), then pray",
     f"<p>(see {link('www.example.org/news', 'http://www.example.org/news')}), then pray</p>"),
    ("https://example.org/wiki/Grace_(hymn) and https://a.example.org, https://b.example.org.",
     f"<p>{link('https://example.org/wiki/Grace_(hymn)')} and {link('https://a.example.org')}, "
     f"{link('https://b.example.org')}.</p>"),
    ("**www.example.org** and _example.org_",
     f"<p><strong>{link('www.example.org', 'http://www.example.org')}</strong> and "
     f"<em>{link('example.org', 'http://example.org')}</em></p>"),
    ("> - pray at example.church/today",
     "<blockquote>\n<ul>\n<li>pray at "
     f"{link('example.church/today', 'http://example.church/today')}</li>\n</ul>\n"
     "</blockquote>"),
    ("Write to pastor@example.org", "<p>Write to pastor@example.org</p>"),
    ("a.b and v1.2 and notes.txt", "<p>a.b and v1.2 and notes.txt</p>"),
])
def test_addresses_typed_as_text_become_links(text, html):
    assert render_markdown(text) == html


def test_markers_made_plain_show_as_typed_and_cost_a_linear_time():
    """Past the budget, markers are written as stand-ins Markdown passes over, then
    put back: thousands of them are no thousands of inline matches."""
    text = "`" * 4400 + " pray " + "[" * 400
    html = render_markdown(text)
    assert html == f"<p>{text}</p>"
    assert not any(stand_in in html for stand_in in PLAIN.values())
    typed = "a\ufdd0b\ufdd3c"  # the stand-ins themselves are no text: dropped
    assert render_markdown(typed) == "<p>abc</p>"


def test_halves_of_surrogate_pairs_are_dropped_not_an_error():
    assert render_markdown("Amen\ud800 and \udfffamen") == "<p>Amen and amen</p>"


@pytest.mark.parametrize("text", [
    "`www.example.org` and `https://example.org/a`",
    "    https://example.org/in-a-code-block\n",
    "```\nwww.example.org\n```",
    "[the town's page](https://example.org/town) and [www.example.org](https://example.org)",
    "<https://example.org/already>",
])
def test_code_and_links_already_made_are_left_alone(text):
    html = render_markdown(text)
    inside_code = re.findall(r"<code>(.*?)</code>", html, re.S)
    assert all("<a " not in code for code in inside_code)
    assert "<a " not in "".join(re.findall(r"<a [^>]*>(.*?)</a>", html))  # no link in a link
    assert html.count("<a ") == len(re.findall(r"\]\(|<https", text))


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_posting_and_editing_pathological_comments_never_fails(client, member, text):
    post = make_article()
    client.force_login(member)
    response = client.post(
        "/comments/post/",
        {"body": text, "target": "articles.article", "object_id": post.pk},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert "<a " not in comment.body_html
    Comment.objects.filter(pk=comment.pk).update(created_at=comment.created_at)
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": text[::-1]})
    assert response.status_code in (302, 429)


def test_edits_are_rate_limited_like_posts(client, member, settings):
    from comments.services import FLOOD_SECONDS

    post = make_article()
    client.force_login(member)
    client.post(
        "/comments/post/", {"body": "First", "target": "articles.article", "object_id": post.pk}
    )
    comment = Comment.objects.get()
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Second"}).status_code == 302
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Third words"})
    assert response.status_code == 429
    html = response.content.decode()
    assert f"{FLOOD_SECONDS} seconds" in html and "Third words" in html
    comment.refresh_from_db()
    assert comment.body == "Second"


def test_a_member_may_not_edit_without_end(client, member, monkeypatch):
    from comments import services
    from library.web import ratelimit

    clock = [3600.0 * 1000]  # the start of an hour's window

    def tick():
        clock[0] += services.FLOOD_SECONDS  # each edit a little after the last
        return clock[0]

    monkeypatch.setattr(ratelimit.time, "time", tick)
    post = make_article()
    client.force_login(member)
    client.post(
        "/comments/post/", {"body": "First", "target": "articles.article", "object_id": post.pk}
    )
    comment = Comment.objects.get()
    answers = [
        client.post(f"/comments/{comment.pk}/edit/", {"body": f"Edit {n}"}).status_code
        for n in range(services.HOURLY_LIMIT + 1)
    ]
    assert answers[:-1] == [302] * services.HOURLY_LIMIT and answers[-1] == 429

