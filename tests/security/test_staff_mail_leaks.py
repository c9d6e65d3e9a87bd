"""What a letter or a mail server says reaches staff pages as text, and Editors never
see a whole address, even in a mail server's answer."""
import smtplib

from library.mail import outbox
from library.models import OutboxMessage
from tests.factories import make_member
from tests.security.test_staff_mail_probes import (
    HOSTILE_BODY,
    LIST,
    editor_member,
    letter,
    logged_in,
)


def test_the_previews_text_part_shows_written_html_as_text(db):
    """The text part beside the frame is on the admin's own page: what the writer
    typed as HTML must show as text there, never as markup of the admin's page
    (an Editor's letter would put a redirect or a form on a superuser's screen)."""
    mailing = letter(body=HOSTILE_BODY)
    superuser = logged_in(make_member(is_staff=True, is_superuser=True))
    page = superuser.get(f"/admin/updates/mailing/{mailing.pk}/preview/").content.decode()
    text = page[page.index('<pre class="mailing-preview-text">'):]
    text = text[:text.index("</pre>")]
    for markup in ("<script>", "<img src=x", '<meta http-equiv="refresh"'):
        assert markup not in text, f"{markup} reached the admin page as markup"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_an_editor_sees_no_whole_address_in_a_failed_copys_error(db):
    """A mail server's refusal quotes the address it refused (Postfix: "<a@b>:
    Recipient address rejected"); the outbox shows that error to Editors beside
    the address they are meant to see only in part."""
    refusal = smtplib.SMTPRecipientsRefused({"reader@example.org": (
        550, b"5.1.1 <reader@example.org>: Recipient address rejected: User unknown")})
    copy = outbox.record(kind="updates/email/mailing", to="reader@example.org",
                         subject="Pray for Texas", body="A letter", batch_key="mailing-1:1")
    # What the outbox keeps of that refusal (outbox.describe), as delivery stores it.
    OutboxMessage.objects.filter(pk=copy.pk).update(status="failed",
                                                    error=outbox.describe(refusal))
    editor = logged_in(editor_member())
    assert "<strong>1</strong> mail that could not be sent" in editor.get(
        "/admin/").content.decode()
    for url in (f"{LIST}?status__exact=failed", f"{LIST}{copy.pk}/change/"):
        page = editor.get(url).content.decode()
        assert "r•••@example.org" in page
        assert "reader@example.org" not in page, f"the whole address on {url}"
