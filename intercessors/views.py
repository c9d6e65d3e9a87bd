"""Site-wide views: home, search, the ministry's pages and its contact form,
robots.txt. The health check is the library's (library.health)."""
import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views import defaults
from django.views.decorators.http import require_http_methods, require_safe
from django.views.static import serve

from articles.selectors import article_cards, posts_of_the_week, search_articles
from articles.views import card_context, paginate
from comments.models import Comment, CommentReport
from leaders.models import LeaderPrayer, LeaderPrayerReport
from leaders.services import leaders_of_the_day
from library.mail import relay
from library.models import Letter, OutboxMessage
from library.pages.pagecache import LISTS, shared_page
from library.rules import noun_for
from library.text.search import MAX_QUERY_LENGTH, query_problem
from library.web.letters import LetterForm, too_many_letters
from partners.models import GivingAlert, PartnerPledge
from prayers.models import Prayer, PrayerReport

from .models import SitePage

logger = logging.getLogger(__name__)


def server_error(request):
    """handler500. While the database is away (a restart, a failover) the answer is a
    503 that says so and keeps what the member typed: nothing was saved, since the
    request's transaction never committed. Anything else is the ordinary 500 page."""
    error = sys.exc_info()[1]
    if not _database_is_away(error):
        return defaults.server_error(request)
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error)
    typed = request.POST.get("body", "") if request.method == "POST" else ""
    response = HttpResponse(render_to_string("503.html", {"typed": typed[:20000]}), status=503)
    response["Retry-After"] = "5"
    return response


def _database_is_away(error) -> bool:
    # Lost or refused connections; a plain DatabaseError is what libpq reports for a
    # connection cut mid-answer. Other database errors count only if the connection
    # no longer answers (an error about the data itself is a real bug: 500).
    if isinstance(error, (OperationalError, InterfaceError)) or type(error) is DatabaseError:
        return True
    if not isinstance(error, DatabaseError):
        return False
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:
        return True


@require_safe
def favicon(request):
    # Browsers ask for /favicon.ico on pages that do not name an icon (admin).
    return redirect(static("img/favicon.svg"), permanent=True)


@require_safe
@shared_page(depends_on=lambda request: (LISTS,))
def home(request):
    articles = list(article_cards()[:6])
    prayers = list(Prayer.objects.visible().standalone().select_related("state")[:3])
    requests = list(Prayer.objects.on_the_wall().order_by("-published_at", "-id")[:3])
    praise = list(Prayer.objects.answered().order_by("-answered_at", "-id")[:3])
    return render(
        request,
        "home.html",
        {
            "articles": articles,
            "prayers": prayers,
            "requests": requests,
            "praise": praise,
            "this_week": posts_of_the_week(),
            "leaders_today": leaders_of_the_day(),
        },
    )


@require_safe
@shared_page(query=("q", "page"), depends_on=lambda request: (LISTS,))
def search(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "max_length": MAX_QUERY_LENGTH}
    if error := query_problem(query):
        # Characters that cannot be looked for are not shown back either.
        context.update(error=error, query="" if "\x00" in query else query)
        return render(request, "search.html", context, status=400)
    if query:
        context.update(card_context(request, paginate(request, search_articles(query))))
    return render(request, "search.html", context)


@require_safe
@shared_page()
def site_page(request, kind):
    """About, contact and privacy: the ministry's own pages, written in admin."""
    return render(request, "pages/page.html", {"page": get_object_or_404(SitePage, kind=kind)})


LETTER_SESSION_KEY = "contact_letter"


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    """The contact page: the ministry's own text, then a form that mails staff
    without showing the reader their address."""
    if request.method == "POST":
        return _send_letter(request)
    return _contact_page(request)


@shared_page()
def _contact_page(request):
    return _contact(request, LetterForm())


def _contact(request, form, *, status=200, error=""):
    return render(request, "pages/contact.html", {
        "page": get_object_or_404(SitePage, kind=SitePage.Kind.CONTACT),
        "form": form, "error": error}, status=status)


def _send_letter(request):
    form = LetterForm(request.POST)
    if not form.is_valid():
        return _contact(request, form, status=400)
    data = form.cleaned_data
    if error := too_many_letters(request, data["email"]):
        return _contact(request, form, status=429, error=error)
    letter = relay.relay(
        kind="contact", to=settings.CONTACT_EMAIL, to_name=f"the {settings.MINISTRY_NAME} team",
        reply_to=data["email"], sender_name=data["name"], subject=data["subject"],
        body=data["message"],
    )
    request.session[LETTER_SESSION_KEY] = letter.status
    return redirect("pages:contact-sent")


@require_safe
def contact_sent(request):
    """Told once the letter is kept: sent on, or waiting for staff to read it."""
    status = request.session.get(LETTER_SESSION_KEY)
    if status is None:
        return redirect("pages:contact")
    return render(request, "pages/contact_sent.html", {"held": status == Letter.Status.HELD})


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def media(request, path):
    """An uploaded photo, where the site serves them itself (development, or
    DJANGO_SERVE_MEDIA=1); behind a proxy in production, it serves MEDIA_ROOT
    instead. A path the file system cannot even look up (a name too long, a NUL
    byte) is no such photo: 404, not an error."""
    if not settings.SERVE_MEDIA:
        raise Http404("Photos are served by the proxy.")
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except (OSError, ValueError):
        raise Http404("No such photo.") from None


def waiting_work(user) -> list[dict]:
    """What waits for staff, for the admin home page: only what this staff member
    may see, each with where to find it."""
    work = []
    if user.has_perm("comments.change_comment"):
        held = Comment.objects.filter(status=Comment.Status.PENDING, is_deleted=False).count()
        url = reverse("admin:comments_comment_changelist") + "?status__exact=pending"
        work.append({"label": noun_for(held, "held comment"), "count": held, "url": url})
    if user.has_perm("comments.view_commentreport"):
        reports = CommentReport.objects.filter(resolved_at__isnull=True).count()
        work.append({"label": noun_for(reports, "open report"), "count": reports,
                     "url": reverse("admin:comments_commentreport_changelist")})
    if user.has_perm("prayers.change_prayerrequest"):
        held = Prayer.objects.requests().filter(status=Prayer.Status.PENDING,
                                                is_deleted=False).count()
        url = reverse("admin:prayers_prayerrequest_changelist") + "?status__exact=pending"
        work.append({"label": noun_for(held, "prayer request") + " awaiting review", "count": held,
                     "url": url})
    if user.has_perm("prayers.view_prayerreport"):
        reports = PrayerReport.objects.filter(resolved_at__isnull=True).count()
        work.append({"label": noun_for(reports, "open report") + " of prayer requests",
                     "count": reports,
                     "url": reverse("admin:prayers_prayerreport_changelist")})
    if user.has_perm("leaders.change_leaderprayer"):
        held = LeaderPrayer.objects.filter(status=LeaderPrayer.Status.PENDING,
                                           is_deleted=False).count()
        url = reverse("admin:leaders_leaderprayer_changelist") + "?status__exact=pending"
        work.append({"label": noun_for(held, "prayer for a leader", "prayers for leaders")
                     + " awaiting review", "count": held, "url": url})
    if user.has_perm("leaders.view_leaderprayerreport"):
        reports = LeaderPrayerReport.objects.filter(resolved_at__isnull=True).count()
        work.append({"label": noun_for(reports, "open report") + " of prayers for leaders",
                     "count": reports,
                     "url": reverse("admin:leaders_leaderprayerreport_changelist")})
    if user.has_perm("partners.view_partnerpledge"):
        pledges = PartnerPledge.objects.filter(status=PartnerPledge.Status.NEW).count()
        work.append({"label": noun_for(pledges, "new pledge"), "count": pledges,
                     "url": reverse("admin:partners_partnerpledge_changelist")
                     + "?status__exact=new"})
    if user.has_perm("partners.change_givingalert"):
        alerts = GivingAlert.objects.filter(resolved=False).count()
        if alerts:  # shown only when there are some, like failed mail
            work.append({"label": noun_for(alerts, "payment event", "payment events")
                         + " to look at", "count": alerts,
                         "url": reverse("admin:partners_givingalert_changelist")
                         + "?resolved__exact=0"})
    if user.has_perm("library.change_letter"):
        held = Letter.objects.held().count()
        work.append({"label": "letters awaiting review", "count": held,
                     "url": reverse("admin:library_letter_changelist") + "?status__exact=held"})
    failed = OutboxMessage.objects.visible_to(user).filter(
        status=OutboxMessage.Status.FAILED).count()
    if failed:  # shown only when there are some: mail is not staff's daily work
        work.append({"label": noun_for(failed, "mail that could not be sent",
                                    "mails that could not be sent"), "count": failed,
                     "url": reverse("admin:library_outboxmessage_changelist")
                     + "?status__exact=failed"})
    return work
