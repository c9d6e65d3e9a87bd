"""Calls and gatherings: the list by week, each event's page with its dates in the
reader's time zone and its own, "Remind me", the calendar files and feeds, and the
recordings with their podcast feed. Links in mail carry signed tokens; a GET never
changes anything (mail scanners open links before people do)."""
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import rfc2822_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from library.pages.pagecache import shared_page
from library.web import ratelimit
from states.models import State

from . import calendar, services
from .forms import RemindForm
from .models import Event, Recording
from .zones import STATE_ZONES, zone, zone_label

WEEKS_AHEAD = 8
REMINDERS_PER_HOUR = 10  # asks by email from one network


def _webcal(path: str) -> str:
    # webcal:// makes phones and desktop calendars subscribe rather than import once.
    return "webcal://" + settings.SITE_URL.split("://", 1)[-1] + path


def upcoming_dates(events, *, now, until) -> list[tuple]:
    """(start, end, event) of every date of `events` from `now` to `until`, in order."""
    found = []
    for event in events:
        for start, end in event.occurrences(after=now, limit=7 * WEEKS_AHEAD):
            if start > until:
                break
            found.append((start, end, event))
    found.sort(key=lambda row: (row[0], row[2].title))
    return found


def _by_week(dates) -> list[dict]:
    """The dates under the Monday of the week of the date each shows: its own, in its
    event's zone (a Sunday night out west is Monday in the East). In time order
    within a week."""
    weeks = {}
    for start, end, event in dates:
        day = start.astimezone(event.zone).date()
        monday = day - timedelta(days=day.weekday())
        weeks.setdefault(monday, []).append({"start": start, "end": end, "event": event})
    return [{"monday": monday, "dates": rows} for monday, rows in sorted(weeks.items())]


@require_safe
@shared_page(query=("state", "kind"), lifetime=300)
def event_list(request):
    states = list(State.objects.only("id", "name", "slug"))
    state_slug, kind = request.GET.get("state", ""), request.GET.get("kind", "")
    state = next((s for s in states if s.slug == state_slug), None)
    if (state_slug and state is None) or (kind and kind not in Event.Kind.values):
        raise Http404("No such state or kind of event.")
    events = Event.objects.listed().select_related("state")
    if state is not None:
        events = events.filter(state=state)
    if kind:
        events = events.filter(kind=kind)
    now = timezone.now()
    weeks = _by_week(upcoming_dates(events, now=now, until=now + timedelta(weeks=WEEKS_AHEAD)))
    feed = (reverse("events:state-calendar", args=[state.slug]) if state
            else reverse("events:calendar"))
    return render(request, "events/list.html", {
        "weeks": weeks, "states": states, "state": state, "kind": kind,
        "kinds": Event.Kind.choices, "feed": _webcal(feed), "feed_download": feed,
    })


def reader_zone(request, event: Event) -> str:
    """The reader's time zone: their home state's, else the event's state's, else
    the event's own."""
    state = getattr(request.user, "home_state", None) if request.user.is_authenticated else None
    state = state or event.state
    return STATE_ZONES.get(state.code, event.time_zone) if state else event.time_zone


def _embed_hosts(view):
    """Event pages may frame the players of the hosts in EVENT_EMBED_HOSTS, and no
    other page may."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if settings.EVENT_EMBED_HOSTS:
            response._csp_update = {"frame-src": [f"https://{host}"
                                                  for host in settings.EVENT_EMBED_HOSTS]}
        return response
    return wrapper


def embed_url(event: Event) -> str:
    """The stream's address when its host may be framed here, else ""."""
    if not event.stream_url:
        return ""
    parts = urlsplit(event.stream_url)
    if parts.scheme == "https" and parts.hostname in settings.EVENT_EMBED_HOSTS:
        return event.stream_url
    return ""


@require_safe
@_embed_hosts
@shared_page(depends_on=lambda request, slug: (f"event:{slug}",), lifetime=60,
             # A member sees the dates in their state's time and their own reminder.
             private_when=lambda request, slug: request.user.is_authenticated)
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.select_related("state"), slug=slug)
    return render(request, "events/detail.html", _detail_context(request, event))


def _detail_context(request, event: Event, form=None) -> dict:
    now = timezone.now()
    dates = event.occurrences(after=now, limit=6)
    theirs = reader_zone(request, event)
    rows = [{"start": start, "end": end,
             "local": start.astimezone(zone(theirs)) if theirs != event.time_zone else None,
             "live": start <= now < end}
            for start, end in dates]
    reminder = None
    if request.user.is_authenticated:
        reminder = event.reminders.filter(member=request.user).first()
    recordings = list(event.recordings.order_by("-occurrence_date")[:5])
    return {
        "event": event, "dates": rows, "live": bool(rows and rows[0]["live"]),
        "reader_zone_label": zone_label(theirs), "same_zone": theirs == event.time_zone,
        "embed_url": embed_url(event), "reminder": reminder, "recordings": recordings,
        "form": form or RemindForm(needs_email=not request.user.is_authenticated),
        "feed": _webcal(reverse("events:event-calendar", args=[event.slug])),
        "past": not rows,
    }


@require_POST
def remind(request, slug):
    event = get_object_or_404(Event.objects.select_related("state"), slug=slug)
    member = request.user if request.user.is_authenticated else None
    form = RemindForm(request.POST, needs_email=member is None)
    if form.is_valid():
        occurrence = form.cleaned_data["occurrence"] if event.repeats else None
        try:
            if member is not None:
                services.remind_member(member=member, event=event, occurrence=occurrence)
                messages.success(request, "We will email you 24 hours and 1 hour before "
                                          + ("that date." if occurrence else "each date."))
                return redirect(event)
            if not ratelimit.allow("events-remind", ratelimit.client_network(request),
                                   limit=REMINDERS_PER_HOUR, period=3600):
                return render(request, "429.html", status=429)
            services.remind_by_email(email=form.cleaned_data["email"], event=event,
                                     occurrence=occurrence)
            messages.success(request, "Please check your inbox: we sent a link to confirm "
                                      "your reminders.")
            return redirect(event)
        except services.CannotRemind as cannot:
            form.add_error(None, cannot.message)
    return render(request, "events/detail.html", _detail_context(request, event, form),
                  status=400)


@login_required
@require_POST
def unremind(request, slug):
    event = get_object_or_404(Event, slug=slug)
    services.stop_for_member(member=request.user, event=event)
    messages.success(request, "We will not remind you of this event.")
    return redirect(event)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        reminder = services.reminder_from_confirm_link(token)
    except services.BadLink as bad:
        return render(request, "events/bad_link.html", {"message": bad.message}, status=400)
    if request.method == "POST":
        services.confirm(reminder)
        reminder.refresh_from_db()
    return render(request, "events/confirm.html", {"reminder": reminder,
                                                   "event": reminder.event})


@csrf_exempt  # the signed link is the proof; mail programs POST it in one click (RFC 8058)
@require_http_methods(["GET", "POST"])
def stop(request, token):
    try:
        reminder = services.reminder_from_stop_link(token)
    except services.BadLink as bad:
        return render(request, "events/bad_link.html", {"message": bad.message}, status=400)
    stopped = reminder is None
    if request.method == "POST" and reminder is not None:
        services.stop(reminder)
        stopped = True
    return render(request, "events/stop.html", {
        "reminder": reminder, "event": reminder.event if reminder else None,
        "stopped": stopped})


def _ics(cal, filename: str) -> HttpResponse:
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _host(request) -> str:
    return urlsplit(settings.SITE_URL).hostname or request.get_host().split(":")[0]


@require_safe
def event_calendar(request, slug):
    event = get_object_or_404(Event, slug=slug)
    return _ics(calendar.calendar([event], name=event.title, host=_host(request)),
                f"{event.slug}.ics")


@require_safe
def all_calendar(request):
    events = Event.objects.select_related("state")
    return _ics(calendar.calendar(events, name="Intercessors prayer calls and gatherings",
                                  host=_host(request)), "intercessors-events.ics")


@require_safe
def state_calendar(request, slug):
    """A state's calls and gatherings; also the address its weekly calls' feed had."""
    state = get_object_or_404(State, slug=slug)
    events = Event.objects.filter(state=state)
    return _ics(calendar.calendar(events, name=f"{state.name} prayer calls",
                                  host=_host(request)), f"{state.slug}-prayer-calls.ics")


def state_section(request, state) -> dict:
    """What a state's page shows of its calls and gatherings (states.sections)."""
    now = timezone.now()
    events = list(Event.objects.listed().filter(state=state))
    rows = []
    for event in events:
        upcoming = event.next_occurrence(now)
        if upcoming:
            rows.append({"event": event, "next": upcoming[0]})
    path = reverse("events:state-calendar", args=[state.slug])
    return {"events": rows, "feed": _webcal(path), "download": path}


# Recordings

def _absolute(url: str) -> str:
    return url if "://" in url else settings.SITE_URL + url


@require_safe
@shared_page(lifetime=3600)
def recording_list(request):
    recordings = list(Recording.objects.listed()[:50])
    return render(request, "events/recordings.html", {
        "recordings": recordings, "feed": reverse("events:podcast")})


@require_safe
def podcast_feed(request):
    recordings = list(Recording.objects.listed()[:100])
    items = [{"recording": r, "url": _absolute(r.audio.url),
              "page": settings.SITE_URL + reverse("events:recordings") + f"#recording-{r.pk}",
              "pub_date": rfc2822_date(r.published_at)} for r in recordings]
    response = render(request, "events/podcast.xml", {
        "items": items, "site_url": settings.SITE_URL,
        "feed_url": settings.SITE_URL + reverse("events:podcast"),
        "last_build": rfc2822_date(recordings[0].published_at if recordings else timezone.now()),
        "image": settings.SITE_URL + "/static/img/podcast.png",
    }, content_type="application/rss+xml; charset=utf-8")
    return response
