"""The email archive on the web: which past emails anyone may read on the site, and
each one as its readers got it, on the site's own pages, without any reader's own
links (leaving, "I Prayed" from the inbox): its posts link to their public pages."""
import datetime

from django.db.models import F
from django.http import Http404
from django.utils import timezone

from library.web.pagination import paginate_merged

from . import editions
from .models import Edition, Mailing


class OnTheWeb:
    """In place of a mail's marks (`mailer.Marks`): on the web there is no reader, so
    an email's page has no one's "I Prayed" and no way to leave; its items link to
    their public pages, where anyone may pray."""

    leave = ""

    @staticmethod
    def pray(prayer) -> str:
        return ""


def entries(request):
    """A page of the archive, newest first: editions by the moment they cover to,
    letters by when they started going out."""
    return paginate_merged(request, [
        Edition.objects.archived().annotate(sent_on=F("until")).only("kind", "until"),
        Mailing.objects.archived().annotate(sent_on=F("started_at")).only("subject",
                                                                           "started_at"),
    ], key="sent_on")


def editions_of(kind: str, day: str) -> list[dict]:
    """The editions of `kind` dated `day` (its date in the site's time zone), newest
    first, each with what it held as its mail showed it: nearly always one, but staff
    moving the hour of the daily email can make two in a day. Http404 if none."""
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404("No such email.") from None
    start = timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(date + datetime.timedelta(days=1),
                                                        datetime.time.min))
    found = list(Edition.objects.archived().filter(kind=kind, until__gte=start, until__lt=end)
                 .order_by("-until"))
    if not found:
        raise Http404("No such email.")
    return [editions.context(edition, editions.content(edition), OnTheWeb())
            for edition in found]

