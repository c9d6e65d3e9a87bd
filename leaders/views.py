"""The leaders' list with its search, each leader's page with "I Prayed" and the
prayers members wrote, writing and reporting such a prayer, and a state's leaders
on its page (states.sections)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from library.pages.pagecache import shared_page
from library.rules import parse_id
from library.text.moderation import (
    Refused,
    Status,
    in_edit_window,
)
from library.web.reports import report_page

from . import selectors
from .forms import LeaderPrayerForm
from .models import Leader, LeaderPrayer, LeaderReason
from .services import (
    LEADERS,
    PRAYER_EDIT_RULE,
    delete_prayer,
    edit_prayer,
    post_prayer,
    report_prayer,
)

RECENT_PRAYERS = 20
REVIEWED = ("Thank you for your prayer. Our team reads each one before it appears; yours "
            "is waiting for them.")
HELD = ("Thank you for your prayer. Prayers with links to other sites are read by our team "
        "first; yours is waiting for them.")


@require_safe
@shared_page(query=("q",), depends_on=lambda request: (LEADERS,))
def leader_list(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "max_length": selectors.MAX_QUERY_LENGTH}
    status = 200
    if len(query) > selectors.MAX_QUERY_LENGTH:
        context["error"] = (f"Please search for at most {selectors.MAX_QUERY_LENGTH} "
                            f"characters; that search had {len(query):,}.")
        status = 400
    elif "\x00" in query:
        context.update(query="", error="That search contained characters we cannot look for.")
        status = 400
    leaders = (selectors.search(query) if query and status == 200
               else Leader.objects.serving())
    context.update(selectors.directory(leaders))
    return render(request, "leaders/list.html", context, status=status)


def _leader(slug) -> Leader:
    return get_object_or_404(Leader.objects.select_related("state", "prayer"), slug=slug)


def _wrote_for(request, slug) -> bool:
    """A member who wrote a prayer for this leader gets a page of their own: their
    prayer while it waits for staff, and a way to delete it."""
    return request.user.is_authenticated and LeaderPrayer.objects.filter(
        leader__slug=slug, author_id=request.user.pk, is_deleted=False).exists()


@require_safe
@shared_page(depends_on=lambda request, slug: (f"leader:{slug}",), private_when=_wrote_for)
def leader_detail(request, slug):
    return _detail_page(request, _leader(slug))


def _detail_page(request, leader, *, form=None, error=None, status=200):
    written = LeaderPrayer.objects.filter(leader=leader).select_related("author")
    mine = []
    if request.user.is_authenticated:
        mine = list(written.filter(author=request.user, is_deleted=False)
                    .exclude(status=Status.REMOVED)[:RECENT_PRAYERS])
    return render(request, "leaders/detail.html", {
        "leader": leader,
        "prayer": leader.prayer,
        "written": list(written.public()[:RECENT_PRAYERS]),
        "mine": {prayer.pk for prayer in mine},
        "editable": {prayer.pk for prayer in mine if in_edit_window(prayer, request.user)},
        "waiting": [prayer for prayer in mine if prayer.status == Status.PENDING],
        "form": form or LeaderPrayerForm(),
        "error": error,
    }, status=status)


@login_required
@require_POST
def write_prayer(request, slug):
    """A member's written prayer for the leader: back to the page with a word of
    thanks, or the page again with their words and why they cannot be taken."""
    leader = _leader(slug)
    form = LeaderPrayerForm(request.POST)
    error, status = None, 400
    if form.is_valid():
        try:
            prayer = post_prayer(leader=leader, author=request.user,
                                 text=form.cleaned_data["text"])
        except Refused as refusal:
            error, status = refusal.message, refusal.status
        else:
            if prayer.status == Status.PENDING:
                messages.info(request, REVIEWED if settings.LEADER_PRAYERS_REVIEW else HELD)
            else:
                messages.success(request, "Thank you for your prayer.")
            return redirect(leader.get_absolute_url() + "#recent-prayers")
    return _detail_page(request, leader, form=form, error=error, status=status)


def _own_prayer(request, pk) -> LeaderPrayer:
    if parse_id(pk) is None:
        raise Http404("No such prayer.")
    return get_object_or_404(LeaderPrayer.objects.select_related("leader"), pk=pk,
                             is_deleted=False)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """The writer changes their prayer, within the edit window."""
    prayer = _own_prayer(request, pk)
    back = prayer.leader.get_absolute_url() + "#recent-prayers"
    if prayer.author_id != request.user.pk:
        raise PermissionDenied("Only the member who wrote this prayer can change it.")
    if not in_edit_window(prayer, request.user):
        messages.error(request, f"{PRAYER_EDIT_RULE} You can still delete it.")
        return redirect(back)
    # A post is checked even when it holds nothing: `request.POST or None` would show
    # an empty one the untouched form, with a 400 and no word of what is missing.
    form = LeaderPrayerForm(request.POST if request.method == "POST" else None,
                            initial={"text": prayer.text})
    error, status = None, 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            prayer = edit_prayer(prayer=prayer, user=request.user,
                                 text=form.cleaned_data["text"])
        except Refused as refusal:
            error, status = refusal.message, refusal.status
        else:
            if prayer.status == Status.PENDING:
                messages.info(request, "Your prayer is changed. Our team reads it before it "
                              "appears again.")
            else:
                messages.success(request, "Your prayer is changed.")
            return redirect(back)
    return render(request, "leaders/edit.html", {"prayer": prayer, "form": form, "error": error,
                                                 "back": back, "rule": PRAYER_EDIT_RULE},
                  status=status)


@login_required
@require_POST
def delete(request, pk):
    """The member takes their own prayer down."""
    prayer = _own_prayer(request, pk)
    delete_prayer(prayer=prayer, user=request.user)
    messages.success(request, "Your prayer has been taken down.")
    return redirect(prayer.leader.get_absolute_url() + "#recent-prayers")


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk):
    """Asks why, then records the report: a report is a considered act, not a click."""
    if parse_id(pk) is None:
        raise Http404("No such prayer.")
    prayer = get_object_or_404(LeaderPrayer.objects.public().select_related("leader"), pk=pk)
    return report_page(
        request, what="prayer", reasons=LeaderReason,
        report=lambda **why: report_prayer(prayer=prayer, user=request.user, **why),
        back=prayer.leader.get_absolute_url() + "#recent-prayers",
        template="leaders/report.html", context={"prayer": prayer},
        refusal=("You cannot report your own prayer."
                 if prayer.author_id == request.user.pk else None))


def state_leaders(request, state) -> dict:
    """A state's leaders, for its page (states.sections)."""
    return {"state": state, **selectors.state_leaders(state)}

