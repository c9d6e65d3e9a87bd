"""The prayer wall: members' requests, newest first or least prayed for first, in
all, for one state or of one category, and its search; the answered prayers (praise
reports); praying through the wall one request at a time; asking, editing, deleting
and reporting a request."""
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from library.pages.pagecache import LISTS, kept_for_member, shared_page
from library.rules import parse_id
from library.templatetags.moments import reader_time
from library.text.moderation import (
    Reason,
    Refused,
    in_edit_window,
)
from library.text.search import MAX_QUERY_LENGTH, matching, query_problem
from library.web.pagination import paginate_uncounted
from library.web.ratelimit import allow
from library.web.reports import report_page

from . import followup
from .forms import LINK_RULE, NewRequestForm, RequestForm, State, UpdateForm
from .models import URGENT_HOURS, Category, Prayer, PrayerNote
from .selectors import next_to_pray
from .services import (
    REQUEST_EDIT_RULE,
    ask_urgent,
    check_requester,
    delete_request,
    edit_request,
    post_request,
    pray,
    report_note,
    report_request,
    set_notes_public,
)
from .views import PRAYED_LIMIT, SLOW_DOWN

SLUG = re.compile(r"[-a-z0-9]+")
NATION = "nation"
HELD = (f"{LINK_RULE}; yours is waiting for them, "
        "and only you can see it for now.")
REVIEWED = ("Our team reads every request before it appears; yours is waiting for them, "
            "and only you can see it for now.")


def _state_param(request):
    """?state=texas, ?state=nation, or nothing; anything else is a 404."""
    value = request.GET.get("state", "")
    if not value:
        return None
    if value == NATION:
        return NATION
    if not SLUG.fullmatch(value):
        raise Http404("No such state.")
    return get_object_or_404(State, slug=value)


def _category_param(request):
    """?category=health, or nothing; anything else is a 404 (with the wall's own words)."""
    value = request.GET.get("category", "")
    if value and value not in Category.values:
        raise UnknownCategory
    return value or None


class UnknownCategory(Exception):
    pass


def _filtered(prayers, state, category):
    if state == NATION:
        prayers = prayers.filter(state__isnull=True)
    elif state is not None:
        prayers = prayers.filter(state=state)
    if category is not None:
        prayers = prayers.filter(category=category)
    return prayers


def _filters(state, category) -> str:
    """The state and category chosen, as the start of a link's query."""
    chosen = {"state": state if state == NATION else state and state.slug,
              "category": category}
    return urlencode({name: value for name, value in chosen.items() if value})


LEAST_PRAYED_SECONDS = 10  # the least-prayed-for order moves with every prayer


@require_safe
@shared_page(query=("page", "state", "category", "sort", "q", "answered"),
             depends_on=lambda request: (LISTS,),
             lifetime=lambda request: LEAST_PRAYED_SECONDS
             if request.GET.get("sort") == "least" else None)
def wall(request):
    """The wall, newest or least prayed for first, by state and by category, and its
    search (over requests on the wall and answered ones)."""
    state = _state_param(request)
    try:
        category = _category_param(request)
    except UnknownCategory:
        return _wall_page(request, state=state, status=404,
                          error="We have no category by that name. Please choose one from "
                          "the list.")
    if request.GET.get("answered") == "1":  # the answered prayers have a page of their own
        filters = _filters(state, category)
        return redirect(reverse("prayers:praise") + (f"?{filters}" if filters else ""),
                        permanent=True)
    query = request.GET.get("q", "").strip()
    if error := query_problem(query):
        return _wall_page(request, state=state, category=category, status=400, error=error,
                          query="" if "\x00" in query else query)
    least = not query and request.GET.get("sort") == "least"
    if query:
        prayers = matching(Prayer.objects.findable(), query, fts_table="prayers_search")
    else:
        prayers = Prayer.objects.on_the_wall()
    order = ("prayed_count", "-published_at", "-id") if least else ("-published_at", "-id")
    prayers = _filtered(prayers, state, category)
    # Requests staff marked urgent head the wall, in all, by state and by category, for a
    # while; found results keep their own order.
    prayers = prayers.order_by(*order) if query else prayers.urgent_first(*order)
    page = paginate_uncounted(request, prayers)
    return _wall_page(request, state=state, category=category, page=page, least=least,
                      query=query)


def _wall_page(request, *, state, category=None, page=None, least=False, query="",
               error=None, status=200):
    return render(request, "prayers/wall.html", {
        "page": page,
        "prayers": page.object_list if page else [],
        "state": state,
        "nation": state == NATION,
        "category": category,
        "category_label": Category(category).label if category else "",
        "categories": Category.choices,
        "filters": _filters(state, category),
        "least": least,
        "query": query,
        "max_length": MAX_QUERY_LENGTH,
        "error": error,
        "states": State.objects.only("name", "slug"),
    }, status=status)


@require_safe
@shared_page(query=("page", "state", "category"), depends_on=lambda request: (LISTS,))
def praise(request):
    """Praise reports: answered requests with their answer notes, newest answer first."""
    state = _state_param(request)
    try:
        category = _category_param(request)
    except UnknownCategory:
        raise Http404("No such category.") from None
    prayers = _filtered(Prayer.objects.answered(), state, category)
    page = paginate_uncounted(request, prayers.order_by("-answered_at", "-id"))
    return render(request, "prayers/praise.html", {
        "page": page,
        "prayers": page.object_list,
        "state": state,
        "nation": state == NATION,
        "category": category,
        "categories": Category.choices,
        "states": State.objects.only("name", "slug"),
    })


# Praying through the wall: the member's round is kept in their session (the requests
# already shown, at most SEEN_MOST, the one showing, and how many they prayed for).
ROUND = "pray_through"
FINISHED = "pray_through_finished"
SEEN_MOST = 500


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pray_through(request):
    """One request at a time, urgent ones and then the least prayed for first
    (prayers.selectors.next_to_pray): "I Prayed" or "Next", never the same request
    twice in a round; "Stop" tells how many the member prayed for."""
    round_ = request.session.get(ROUND) or {"seen": [], "current": None, "prayed": 0}
    if request.method == "POST":
        return _pray_through_step(request, round_)
    if (finished := request.session.pop(FINISHED, None)) is not None:
        return render(request, "prayers/pray_through.html",
                      {"finished": True, "prayed": finished})
    return _pray_through_page(request, round_)


def _pray_through_page(request, round_, *, error=None, status=200):
    prayer = None
    if round_["current"] is not None:
        prayer = (Prayer.objects.on_the_wall().select_related("state", "author")
                  .filter(pk=round_["current"]).first())
    if prayer is None:
        prayer = next_to_pray(member=request.user, seen=round_["seen"])
        round_["current"] = prayer and prayer.pk
        if prayer is not None:
            round_["seen"] = [*round_["seen"], prayer.pk][-SEEN_MOST:]
        request.session[ROUND] = round_

    def page():
        return render(request, "prayers/pray_through.html", {
            "prayer": prayer, "prayed": round_["prayed"], "error": error,
        }, status=status)

    if error is not None:
        return page()
    # Shown again (a reload, another member's prayer moving its count): rendered again
    # only when the request, its state and requester, or the round's count changed.
    return kept_for_member(request, [prayer, round_["prayed"]], page)


def _pray_through_step(request, round_):
    action = request.POST.get("action")
    if action == "stop":
        request.session.pop(ROUND, None)
        request.session[FINISHED] = round_["prayed"]
        return redirect("prayers:pray-through")
    if action not in ("prayed", "next"):
        return _pray_through_page(request, round_, status=400,
                                  error="Please choose “I Prayed”, “Next request” or “Stop”.")
    shown = parse_id(request.POST.get("prayer", ""))
    if shown is None or shown != round_["current"]:
        # A form from an earlier page (the back button, a second tab): the request
        # showing now is the one to act on.
        return redirect("prayers:pray-through")
    if action == "prayed":
        if not allow("prayed", request.user.pk, limit=PRAYED_LIMIT, period=60):
            return _pray_through_page(request, round_, error=SLOW_DOWN, status=429)
        if pray(prayer_id=shown, user=request.user, among=Prayer.objects.on_the_wall()):
            round_["prayed"] += 1
    round_["current"] = None
    request.session[ROUND] = round_
    return redirect("prayers:pray-through")


def _request_for(request, pk):
    """A request the reader may see: public ones, and the member's own while they
    wait for staff. Any other is a 404, as one that does not exist."""
    if parse_id(pk) is None:
        raise Http404("No such request.")
    prayer = get_object_or_404(
        Prayer.objects.requests().select_related("state", "author"), pk=pk
    )
    mine = request.user.is_authenticated and prayer.author_id == request.user.pk
    if prayer.is_deleted or prayer.status == Prayer.Status.REMOVED or not (
            prayer.is_public or mine):
        raise Http404("No such request.")
    return prayer


def _asked_by_reader(request, pk) -> bool:
    """The requester's page is their own: their tools, and their request while it
    waits for staff."""
    return request.user.is_authenticated and parse_id(pk) is not None and (
        Prayer.objects.requests().filter(pk=pk, author_id=request.user.pk).exists())


@require_safe
@shared_page(depends_on=lambda request, pk: (f"prayer:{pk}",), private_when=_asked_by_reader)
def request_detail(request, pk):
    prayer = _request_for(request, pk)
    mine = request.user.is_authenticated and prayer.author_id == request.user.pk
    return _request_page(request, prayer, mine=mine)


def _request_page(request, prayer, *, mine, update_form=None, error=None, status=200):
    # The requester sees every note they were sent; others, when the requester chose.
    notes = (list(PrayerNote.objects.shown().filter(prayer=prayer).select_related("author"))
             if mine or prayer.notes_public else None)
    return render(request, "prayers/request.html", {
        "prayer": prayer,
        "mine": mine,
        "notes": notes,
        "urgent_hours": URGENT_HOURS,
        "can_edit": mine and in_edit_window(prayer, request.user),
        "can_renew": mine and followup.renewable(prayer),
        "update_form": update_form or (UpdateForm() if mine and not prayer.is_answered
                                       else None),
        "update_error": error,
    }, status=status)


@login_required
@require_POST
def request_update(request, pk):
    """The requester tells how things stand, or that the prayer was answered."""
    prayer = _request_for(request, pk)
    followup.check_can_update(prayer, request.user)
    form = UpdateForm(request.POST)
    error = None
    if form.is_valid():
        try:
            update = followup.add_update(prayer=prayer, user=request.user,
                                        text=form.cleaned_data["text"],
                                        answered=form.cleaned_data["answered"])
        except Refused as refusal:
            error = refusal.message
        else:
            messages.success(request, "Praise God! Your request is marked answered, and "
                             "everyone who prayed for it will be told." if update.answered
                             else "Your update has been added. Your request stays on the "
                             "wall for another 30 days.")
            return redirect(prayer.get_absolute_url())
    return _request_page(request, prayer, mine=True, update_form=form, error=error,
                         status=400)


@login_required
@require_POST
def request_renew(request, pk):
    prayer = _request_for(request, pk)
    try:
        prayer = followup.renew_request(prayer=prayer, user=request.user)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return _request_page(request, prayer, mine=True, status=refusal.status)
    messages.success(request, "Your request is back on the wall until "
                     f"{reader_time(prayer.expires_at)}.")
    return redirect(prayer.get_absolute_url())


@login_required
@require_POST
def request_daily_mail(request, pk):
    """The requester turns the daily word of prayers on or off for this request."""
    prayer = _request_for(request, pk)
    check_requester(prayer, request.user)
    on = request.POST.get("on") == "1"
    followup.set_daily_mail(prayer=prayer, on=on)
    messages.success(request, "We will email you once a day when people pray for this "
                     "request." if on else "You will no longer get a daily email about "
                     "this request.")
    return redirect(prayer.get_absolute_url())


@login_required
@require_POST
def request_notes_public(request, pk):
    """The requester shows the notes they were sent to every reader, or to themself."""
    prayer = _request_for(request, pk)
    on = request.POST.get("on") == "1"
    set_notes_public(prayer=prayer, user=request.user, on=on)
    messages.success(request, "Everyone who reads your request now sees its notes." if on
                     else "Only you see the notes on your request now.")
    return redirect(prayer.get_absolute_url() + "#notes")


@login_required
@require_POST
def request_urgent(request, pk):
    """The requester asks our team to mark their request urgent."""
    prayer = _request_for(request, pk)
    try:
        ask_urgent(prayer=prayer, user=request.user)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return _request_page(request, prayer, mine=True, status=refusal.status)
    messages.success(request, "Thank you. Our team will read your request and mark it "
                     "urgent if they can.")
    return redirect(prayer.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def note_report(request, pk):
    """Asks why, then records the report of a note someone left on a request."""
    if parse_id(pk) is None:
        raise Http404("No such note.")
    note = get_object_or_404(PrayerNote.objects.select_related("prayer", "prayer__state",
                                                               "prayer__author"), pk=pk)
    prayer = note.prayer
    mine = prayer.author_id == request.user.pk
    if not (note.is_public and prayer.is_public and (mine or prayer.notes_public)):
        raise Http404("No such note.")
    return report_page(
        request, what="note", reasons=Reason,
        report=lambda **why: report_note(note=note, user=request.user, **why),
        back=prayer.get_absolute_url() + "#notes", template="prayers/note_report.html",
        context={"note": note, "prayer": prayer},
        refusal="This note cannot be reported." if note.author_id == request.user.pk
        else None)


@csrf_exempt  # the signed link is the proof; mail programs POST it in one click (RFC 8058)
@require_http_methods(["GET", "POST"])
def request_quiet(request, pk, token):
    """The daily mail's one-click link: no more daily word about this request."""
    if not followup.check_quiet_token(pk, token):
        raise Http404("This link is not valid.")
    prayer = get_object_or_404(Prayer.objects.requests(), pk=pk)
    if request.method == "POST":
        followup.set_daily_mail(prayer=prayer, on=False)
    return render(request, "prayers/request_quiet.html",
                  {"prayer": prayer, "done": request.method == "POST"})


def _saved_message(request, prayer, done: str) -> None:
    if prayer.status == Prayer.Status.PENDING:
        messages.info(request, f"{done} " + (REVIEWED if settings.PRAYER_REQUESTS_REVIEW
                                            else HELD))
    else:
        messages.success(request, f"{done} Members will be praying with you.")


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    initial_state = None
    if slug := request.GET.get("state", ""):
        initial_state = State.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    elif request.user.home_state_id:
        initial_state = request.user.home_state
    form = NewRequestForm(request.POST or None, initial={"state": initial_state})
    error, status = None, 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            prayer = post_request(author=request.user, text=form.cleaned_data["text"],
                                  state=form.cleaned_data["state"],
                                  anonymous=form.cleaned_data["anonymous"],
                                  category=form.cleaned_data["category"],
                                  urgent=form.cleaned_data["urgent"],
                                  notes_public=form.cleaned_data["notes_public"])
        except Refused as refusal:
            error, status = refusal.message, refusal.status
        else:
            _saved_message(request, prayer, "Thank you for sharing your request.")
            return redirect(prayer.get_absolute_url())
    return render(request, "prayers/request_form.html",
                  {"form": form, "error": error, "editing": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, pk):
    prayer = _request_for(request, pk)
    check_requester(prayer, request.user)
    if not in_edit_window(prayer, request.user):
        messages.error(request, f"{REQUEST_EDIT_RULE} You can still delete it.")
        return redirect(prayer.get_absolute_url())
    form = RequestForm(request.POST or None, initial={
        "text": prayer.text, "state": prayer.state, "anonymous": prayer.anonymous,
        "category": prayer.category})
    error, status = None, 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            prayer = edit_request(prayer=prayer, user=request.user,
                                  text=form.cleaned_data["text"],
                                  state=form.cleaned_data["state"],
                                  anonymous=form.cleaned_data["anonymous"],
                                  category=form.cleaned_data["category"])
        except Refused as refusal:
            error, status = refusal.message, refusal.status
        else:
            _saved_message(request, prayer, "Your request has been updated.")
            return redirect(prayer.get_absolute_url())
    return render(request, "prayers/request_form.html",
                  {"form": form, "error": error, "editing": prayer,
                   "edit_rule": REQUEST_EDIT_RULE}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_delete(request, pk):
    prayer = _request_for(request, pk)
    check_requester(prayer, request.user)
    if request.method == "POST":
        delete_request(prayer=prayer, user=request.user)
        messages.success(request, "Your request has been taken down.")
        return redirect(reverse("prayers:requests"))
    return render(request, "prayers/request_delete.html", {"prayer": prayer})


@login_required
@require_http_methods(["GET", "POST"])
def request_report(request, pk):
    """Asks why, then records the report: a report is a considered act, not a click."""
    prayer = _request_for(request, pk)
    return report_page(
        request, what="request", reasons=Reason,
        report=lambda **why: report_request(prayer=prayer, user=request.user, **why),
        back=prayer.get_absolute_url(), template="prayers/request_report.html",
        context={"prayer": prayer},
        refusal=("This request cannot be reported."
                 if not prayer.is_public or prayer.author_id == request.user.pk else None))
