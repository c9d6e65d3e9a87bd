"""Mail written in templates: `templates/<app>/email/<name>_subject.txt` (one line)
and `<name>_body.txt`, rendered with the site's name and address at hand."""
from django.conf import settings
from django.template.loader import render_to_string


def render_mail(name: str, context: dict) -> tuple[str, str]:
    """The subject (prefixed as every site mail is) and plain-text body of mail `name`."""
    context = _with_site(context)
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    return (settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            _plain(render_to_string(f"{name}_body.txt", context)))


def _plain(rendered) -> str:
    """A text template's output as a plain string. Django marks whatever a template
    renders as safe HTML; a mail's text part is not HTML (what a writer typed is in
    it as typed), so a page that shows it must escape it like any other text."""
    return str.__str__(rendered)


def render_mail_html(name: str, context: dict) -> str:
    """The HTML part of mail `name` (`<name>_body.html`): styles written inline on
    each element, as mail programs drop <style>, and readable with images off."""
    return render_to_string(f"{name}_body.html", _with_site(context))


def _with_site(context: dict) -> dict:
    return {"site_url": settings.SITE_URL, "ministry_name": settings.MINISTRY_NAME, **context}


# What staff read in the outbox for each of the site's mails (by template name).
KIND_LABELS = {
    "account/email/email_confirmation_signup": "Confirm a new account",
    "account/email/email_confirmation": "Confirm an email address",
    "account/email/password_reset_key": "Password reset link",
    "account/email/password_reset": "Password was reset",
    "account/email/password_changed": "Password was changed",
    "account/email/password_set": "Password was set",
    "account/email/email_changed": "Email address changed",
    "account/email/email_confirm": "Email address confirmed",
    "account/email/email_deleted": "Email address removed",
    "account/email/unknown_account": "No account for this address",
    "account/email/account_already_exists": "Account already exists",
    "accounts/email/deleted": "Account deleted",
    "comments/email/reply": "Reply to a comment",
    "prayers/email/answered": "A prayer they prayed for was answered",
    "prayers/email/digest": "Daily count of prayers for a request",
    "prayers/email/expiring": "Request leaves the wall soon",
    "updates/email/confirm": "Confirm prayer updates",
    "updates/email/already": "Already gets prayer updates",
    "updates/email/member": "Prayer updates are on the profile",
    "updates/email/daily": "Daily prayer email",
    "updates/email/weekly": "Weekly prayer digest",
    "updates/email/mailing": "Mailing from staff",
    "updates/email/state": "State alert",
    "updates/email/urgent": "Urgent prayer requests",
    "partners/email/thanks": "Thanks to a new partner",
    "partners/email/staff_alert": "New pledge (to staff)",
    "partners/email/receipt": "Gift receipt",
    "partners/email/payment_failed": "Monthly gift payment did not go through",
    "events/email/confirm": "Confirm event reminders",
    "events/email/reminder_24h": "Event reminder, a day before",
    "events/email/reminder_1h": "Event reminder, an hour before",
    "events/email/changed": "An event's time changed",
    "events/email/cancelled": "An event was cancelled",
    "library/email/letter": "Letter from a reader (relayed)",
    "library/email/letter_copy": "Copy of a letter to its writer",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.rsplit("/", 1)[-1].replace("_", " ").capitalize()
