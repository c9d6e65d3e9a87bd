"""The map of states and each state's page: its note, calls, prayers, the
sections other apps register (states.sections), and its conversation."""
from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from comments.html import load_conversation
from intercessors.pagecache import cache_anonymous_page
from prayers.models import Prayer
from prayers.selectors import (
    prayed_ids,
    weekly_prayer_counts_cached,
    weekly_prayer_total_cached,
)

from . import sections, tile_map
from .calendar import calls_calendar
from .models import State


@require_safe
@cache_anonymous_page()
def state_index(request):
    states = list(State.objects.only("id", "code", "name", "slug"))
    tiles = tile_map.tiles(states, weekly_prayer_counts_cached())
    return render(
        request,
        "states/index.html",
        {
            "tiles": tiles,
            "legend": tile_map.legend(),
            "viewbox": tile_map.VIEWBOX,
            "tile_size": tile_map.TILE,
            "week_total": weekly_prayer_total_cached(),
        },
    )


WALL_ON_STATE_PAGE = 5


@require_safe
@cache_anonymous_page(reads=("page",))
def state_detail(request, slug):
    state = get_object_or_404(
        State.objects.annotate(
            member_count=Count("residents", filter=Q(residents__is_active=True))
        ),
        slug=slug,
    )
    prayers = list(Prayer.objects.visible().standalone().filter(state=state)[:20])
    requests = list(Prayer.objects.on_the_wall().filter(state=state)
                    .order_by("-published_at", "-id")[:WALL_ON_STATE_PAGE])
    context = dict(
        state=state,
        prayers=prayers,
        requests=requests,
        prayed_ids=prayed_ids(user=request.user, prayer_ids=[p.pk for p in prayers + requests]),
        sections=sections.for_state(request, state),
        calls=[(call, call.next_start()) for call in state.calls.filter(is_active=True)],
        # webcal:// makes phones and desktop calendars subscribe rather than import once.
        calendar_feed="webcal://" + settings.SITE_URL.split("://", 1)[-1]
        + reverse("states:calls-ics", args=[state.slug]),
        week_count=weekly_prayer_counts_cached().get(state.pk, 0),
        conversation=load_conversation(target=state, request=request),
    )
    return render(request, "states/detail.html", context)


@require_safe
def state_calls_ics(request, slug):
    state = get_object_or_404(State, slug=slug)
    calendar = calls_calendar(state, state.calls.filter(is_active=True), request)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{state.slug}-prayer-calls.ics"'
    return response
