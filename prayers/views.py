from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from intercessors.ratelimit import allow

from .models import Prayer, State
from .selectors import prayed_ids
from .services import mark_prayed, remember_pending_prayer
from .templatetags.prayers import prayed_label

PRAYED_LIMIT = 30  # marks a minute per member: far above any honest reader
SLOW_DOWN = "You have marked many prayers in the last minute. Please wait a moment and try again."


def _back_url(request, prayer):
    """Where to return after the click: a path on this site, else the prayer itself."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return prayer.get_absolute_url()


@require_POST
def prayed(request, pk):
    prayer = get_object_or_404(
        Prayer.objects.visible().select_related("article", "state"), pk=pk
    )
    back = _back_url(request, prayer)
    wants_json = "application/json" in request.headers.get("Accept", "")

    if not request.user.is_authenticated:
        remember_pending_prayer(session=request.session, prayer=prayer)
        login_url = f"{reverse('account_login')}?{urlencode({'next': back})}"
        if wants_json:
            return JsonResponse({"login_url": login_url}, status=401)
        messages.info(request, "Log in or sign up, and we will record your prayer.")
        return HttpResponseRedirect(login_url)

    if not allow("prayed", request.user.pk, limit=PRAYED_LIMIT, period=60):
        if wants_json:
            return JsonResponse({"error": SLOW_DOWN}, status=429)
        messages.warning(request, SLOW_DOWN)
        return HttpResponseRedirect(back)

    mark_prayed(user=request.user, prayer=prayer)
    prayer.refresh_from_db(fields=["prayed_count"])
    if wants_json:
        return JsonResponse(
            {"prayed": True, "count": prayer.prayed_count,
             "label": prayed_label(prayer.prayed_count)}
        )
    return HttpResponseRedirect(back)


def state_index(request):
    return render(request, "prayers/state_index.html", {"states": State.objects.all()})


def state_detail(request, slug):
    state = get_object_or_404(
        State.objects.annotate(
            member_count=Count("residents", filter=Q(residents__is_active=True))
        ),
        slug=slug,
    )
    prayers = list(Prayer.objects.visible().standalone().filter(state=state)[:20])
    return render(
        request,
        "prayers/state_detail.html",
        {
            "state": state,
            "prayers": prayers,
            "prayed_ids": prayed_ids(user=request.user, prayer_ids=[p.pk for p in prayers]),
        },
    )
