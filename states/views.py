"""The map of states and each state's page: its note, calls, prayers, the
sections other apps register (states.sections), and its conversation."""
from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from comments.conversations import load_conversation
from library.pages.pagecache import LISTS, shared_page
from prayers.models import Prayer
from prayers.selectors import (
    WEEKLY_CACHE_SECONDS,
    weekly_prayer_counts_cached,
    weekly_prayers_cached,
)

from . import sections, tile_map
from .calendar import calls_calendar
from .models import State


# The map and state pages show the week's counts, which are kept for a minute.
@require_safe
@shared_page(lifetime=WEEKLY_CACHE_SECONDS)
def state_index(request):
    states = list(State.objects.only("id", "code", "name", "slug"))
    week = weekly_prayers_cached()
    tiles = tile_map.tiles(states, week["per_state"])
    return render(
        request,
        "states/index.html",
        {
            "tiles": tiles,
            "legend": tile_map.legend(),
            "viewbox": tile_map.VIEWBOX,
            "tile_size": tile_map.TILE,
            "week_total": week["total"],
            # A post about two states counts for each of them: the list adds up to
            # more than the prayers in all, and the page says why.
            "states_total": sum(tile.count for tile in tiles),
        },
    )


WALL_ON_STATE_PAGE = 5


@require_safe
@shared_page(query=("page",), depends_on=lambda request, slug: (LISTS, f"state:{slug}"),
             lifetime=WEEKLY_CACHE_SECONDS)
def state_detail(request, slug):
    state = get_object_or_404(
        State.objects.annotate(
            member_count=Count("residents", filter=Q(residents__is_active=True))
        ),
        slug=slug,
    )
    prayers = list(Prayer.objects.visible().standalone().filter(state=state)[:20])
    requests = list(Prayer.objects.on_the_wall().filter(state=state)
                    .urgent_first("-published_at", "-id")[:WALL_ON_STATE_PAGE])
    context = dict(
        state=state,
        prayers=prayers,
        requests=requests,
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
