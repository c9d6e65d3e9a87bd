"""The map of states and each state's page: its note, prayers, the sections other
apps register (states.sections: its calls and gatherings among them), its
conversation, and a letter to its coordinator."""
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from comments.conversations import load_conversation
from library.mail import relay
from library.models import Letter
from library.pages.pagecache import LISTS, shared_page
from library.web.letters import MESSAGE_MAX, too_many_letters
from prayers.models import Prayer
from prayers.selectors import (
    WEEKLY_CACHE_SECONDS,
    weekly_prayer_counts_cached,
    weekly_prayers_cached,
)

from . import sections, tile_map
from .forms import CoordinatorLetterForm
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
        week_count=weekly_prayer_counts_cached().get(state.pk, 0),
        conversation=load_conversation(target=state, request=request),
        coordinator_form=CoordinatorLetterForm() if state.coordinator_email else None,
    )
    return render(request, "states/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def write_to_coordinator(request, slug):
    """A reader's letter to the state's coordinator, relayed like the contact page's
    (library.mail.relay): the coordinator's address is never shown, and answers go
    to the reader's. Back to the state's page with a word of thanks, or this page
    again with what they typed and why it cannot go."""
    state = get_object_or_404(State, slug=slug)
    if not state.coordinator_email:
        # Staff took the address away while the reader was writing: their words stay.
        return render(request, "states/write.html", {
            "state": state, "form": None,
            "typed": request.POST.get("message", "")[:MESSAGE_MAX * 2]}, status=404)
    form = CoordinatorLetterForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if error := too_many_letters(request, data["email"]):
                status = 429
            else:
                coordinator = state.coordinator_label
                letter = relay.relay(
                    kind="coordinator", to=state.coordinator_email, to_name=coordinator,
                    reply_to=data["email"], sender_name=data["name"],
                    subject=f"A message for the {state.name} coordinator",
                    body=data["message"],
                )
                if letter.status == Letter.Status.HELD:
                    messages.info(request, (
                        "Thank you for writing. Your message has a link in it, so our team "
                        f"will read it first and then pass it on to {coordinator}. This can "
                        "take a day or two."))
                else:
                    messages.success(request, (
                        f"Thank you for writing. Your message is on its way to {coordinator}, "
                        "who will answer you by email. We sent a copy to the address you "
                        "gave."))
                return redirect(state.get_absolute_url() + "#write")
    return render(request, "states/write.html", {
        "state": state, "form": form, "error": error,
    }, status=status)

