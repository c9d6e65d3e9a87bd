"""Letters from readers to someone whose address they never see (the ministry's
staff from the contact page; later a state's coordinator): each kept as a
`Letter` and mailed through the outbox with the reader's address as Reply-To, so
the answer goes straight back to them, and a copy of what they wrote to the reader.

A letter carrying a link waits for staff (`send_on`, `discard`) and is mailed only
once they send it on: the copy would otherwise carry anyone's link to any address
typed in. The letter and its mail are written in one transaction, so while the
mail server is away nothing is lost; the outbox tries again."""
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from library.mail import outbox
from library.models import Letter
from library.text.markup import clean_plain_lines, clean_plain_text, count_links, render_markdown

HOLD_AT_LINKS = 1  # one link is the usual shape of spam to a contact form


def carries_links(*texts: str) -> bool:
    return sum(count_links(render_markdown(text)) for text in texts) >= HOLD_AT_LINKS


@transaction.atomic
def relay(*, kind: str, to: str, reply_to: str, subject: str, body: str, sender_name: str,
          to_name: str = "our team", copy_to_sender: bool = True) -> Letter:
    """Keep the reader's letter and mail it to `to` (or hold it for staff when it
    carries links). `to_name` is how the reader knows the recipient ("our team")."""
    reply_to = reply_to.strip()
    validate_email(reply_to)  # it becomes a header: no line breaks, one address
    letter = Letter(
        kind=kind, to=to, to_name=to_name, sender_name=clean_plain_text(sender_name),
        sender_email=reply_to, subject=clean_plain_text(subject),
        body=clean_plain_lines(body), copy_to_sender=copy_to_sender,
    )
    if not (letter.sender_name and letter.subject and letter.body):
        raise ValidationError("A letter needs a name, a subject and a message.")
    held = carries_links(letter.sender_name, letter.subject, letter.body)
    letter.status = Letter.Status.HELD if held else Letter.Status.SENT
    letter.save()
    if not held:
        _mail(letter)
    return letter


@transaction.atomic
def send_on(letters, *, by) -> int:
    """Staff send held letters on: each is mailed once, however often this is asked."""
    count = 0
    for letter in letters.held().select_for_update():
        decided = Letter.objects.filter(pk=letter.pk, status=Letter.Status.HELD).update(
            status=Letter.Status.SENT, decided_at=timezone.now(), decided_by=by)
        if decided:
            _mail(letter)
            count += 1
    return count


def discard(letters, *, by) -> int:
    """Staff discard held letters: never mailed. A letter already sent stays sent."""
    return letters.held().update(status=Letter.Status.DISCARDED, decided_at=timezone.now(),
                                 decided_by=by)


def _mail(letter: Letter) -> None:
    context = {"letter": letter}
    outbox.send("library/email/letter", context, to=letter.to,
                headers={"Reply-To": letter.sender_email})
    if letter.copy_to_sender:
        outbox.send("library/email/letter_copy", context, to=letter.sender_email)
