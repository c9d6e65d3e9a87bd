"""Mail written in templates: `templates/<app>/email/<name>_subject.txt` (one line)
and `<name>_body.txt`, rendered with the site's name and address at hand."""
from django.conf import settings
from django.template.loader import render_to_string


def render_mail(name: str, context: dict) -> tuple[str, str]:
    """The subject (prefixed as every site mail is) and plain-text body of mail `name`."""
    context = {"site_url": settings.SITE_URL, "ministry_name": settings.MINISTRY_NAME,
               **context}
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    return (settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            render_to_string(f"{name}_body.txt", context))
