"""Markdown as a letter's reader sees it: line breaks kept where asked for, and the
plain-text part of a mail written from the sanitised HTML, without markup, links
written out."""
import pytest

from library.text.markup import markdown_to_text, render_markdown

SIGN_OFF = "Thank you for praying.\n\nIn His service,\nThe prayer team"


def test_a_sign_off_on_two_lines_keeps_its_line_break_when_asked():
    assert render_markdown(SIGN_OFF, line_breaks=True) == (
        "<p>Thank you for praying.</p>\n<p>In His service,<br>\nThe prayer team</p>")


def test_without_asking_a_line_break_inside_a_paragraph_is_a_space_as_before():
    assert "<br>" not in render_markdown(SIGN_OFF)


def test_line_breaks_go_through_the_same_sanitiser():
    html = render_markdown("<script>alert(1)</script>\n[x](javascript:alert(1))",
                           line_breaks=True)
    assert "<script" not in html and "javascript:" not in html


@pytest.mark.parametrize(("markdown", "text"), [
    ("Join us **Thursday at 7 pm**.", "Join us Thursday at 7 pm."),
    ("_Gently_ and `plainly`", "Gently and plainly"),
    ("Read [the Ohio page](http://x/states/ohio/) today.",
     "Read the Ohio page (http://x/states/ohio/) today."),
    ("See https://example.org/news for more.", "See https://example.org/news for more."),
    ("Visit www.example.org today", "Visit www.example.org today"),
    ("Write to [prayer@example.org](mailto:prayer@example.org)", "Write to prayer@example.org"),
    ("- bread\n- water\n- blankets", "- bread\n- water\n- blankets"),
    ("1. first\n2. second", "1. first\n2. second"),
    ("- one\n    - one and a half\n- two", "- one\n  - one and a half\n- two"),
    ("## This week\n\nWe pray.", "This week\n\nWe pray."),
    ("> Pray without ceasing.\n>\n> Give thanks.",
     "> Pray without ceasing.\n>\n> Give thanks."),
    ("Fish &amp; chips < 5 > 3 & \"quotes\"", "Fish & chips < 5 > 3 & \"quotes\""),
    ("First paragraph\nwraps here.\n\nSecond.", "First paragraph wraps here.\n\nSecond."),
    ("", ""),
])
def test_plain_text_has_no_markup_and_writes_links_out(markdown, text):
    assert markdown_to_text(markdown) == text


def test_plain_text_keeps_asked_for_line_breaks():
    assert markdown_to_text(SIGN_OFF, line_breaks=True) == (
        "Thank you for praying.\n\nIn His service,\nThe prayer team")


def test_code_blocks_keep_their_lines_and_rich_text_its_headings():
    assert markdown_to_text("Run:\n\n    line one\n      line two\n\nDone.") == (
        "Run:\n\nline one\n  line two\n\nDone.")
    assert markdown_to_text("## Times\n\nSunday\n\n---\n\nMonday", rich=True) == (
        "Times\n\nSunday\n\n---\n\nMonday")


def test_what_the_sanitiser_removes_is_not_in_the_text_either():
    text = markdown_to_text("[click](javascript:alert(1)) <b>bold</b>")
    assert "javascript" not in text and text == "click <b>bold</b>"
