"""\"I Prayed\": a member's mark, or a reader's click remembered until they log in."""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from library.rules import parse_id, safe_next
from library.text.moderation import Refused
from library.web.ratelimit import allow

from .models import NOTE_MAX_LENGTH, Prayer
from .services import pray, pray_with_note, remember_pending_prayer, unmark_prayed
from .templatetags.prayers import prayed_label

PRAYED_LIMIT = 30  # marks a minute per member: far above any honest reader
SLOW_DOWN = "You have marked many prayers in the last minute. Please wait a moment and try again."


def _back_url(request, prayer):
    """Where to return after the click: a path on this site, else the prayer itself."""
    return safe_next(request, request.POST.get("next"), prayer.get_absolute_url())


def _visible_prayer(pk):
    return get_object_or_404(Prayer.objects.visible().select_related("article", "state"), pk=pk)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@csrf_exempt  # members are checked below; see _anonymous_prayed for readers
@require_POST
def prayed(request, pk):
    if request.user.is_authenticated:
        return _member_prayed(request, pk)
    return _anonymous_prayed(request, pk)


def _anonymous_prayed(request, pk):
    """A reader who is not logged in: remember the click and send them to log in.

    Pages for readers are cached and shared, so their button carries no CSRF
    token. Nothing is recorded here, only remembered in a signed cookie of the
    reader's own browser; and only our own pages may send the click."""
    origin = request.headers.get("Origin")
    if request.headers.get("Sec-Fetch-Site") == "cross-site" or (
        origin and origin != f"{request.scheme}://{request.get_host()}"
    ):
        raise PermissionDenied("This button only works on our own pages.")
    prayer = _visible_prayer(pk)
    back = _back_url(request, prayer)
    login_url = f"{reverse('account_login')}?{urlencode({'next': back})}"
    if _wants_json(request):
        response = JsonResponse({"login_url": login_url}, status=401)
    else:
        messages.info(request, "Log in or sign up, and we will record your prayer.")
        response = HttpResponseRedirect(login_url)
    remember_pending_prayer(response=response, prayer=prayer)
    return response


@csrf_protect
def _member_prayed(request, pk):
    """A member's "I Prayed": the mark and the new count in one statement
    (prayers.services.pray), with no other read of the prayer unless the form
    came without a place to return to."""
    wants_json = _wants_json(request)
    if not allow("prayed", request.user.pk, limit=PRAYED_LIMIT, period=60):
        if wants_json:
            return JsonResponse({"error": SLOW_DOWN}, status=429)
        messages.warning(request, SLOW_DOWN)
        return HttpResponseRedirect(_back_url(request, _visible_prayer(pk)))
    note = request.POST.get("note", "")
    # A note left empty is a plain "I Prayed"; one of invisible characters only, or
    # an empty one sent on its own, is a mistake to tell.
    if note.strip() or request.POST.get("with") == "note":
        return _prayed_with_note(request, pk, note)
    marked = pray(prayer_id=pk, user=request.user) if parse_id(pk) is not None else None
    if marked is None:
        raise Http404("No such prayer.")
    if wants_json:
        return JsonResponse(_state(pk, marked[1], prayed=True))
    back = request.POST.get("next")
    if safe_next(request, back, "") == "":
        back = _visible_prayer(pk).get_absolute_url()
    return HttpResponseRedirect(back)


def _prayed_with_note(request, pk, text):
    """ "I Prayed" with a note for the requester. A note that cannot be taken comes
    back, as typed, with why; nothing is recorded then."""
    if parse_id(pk) is None:
        raise Http404("No such prayer.")
    prayer = get_object_or_404(Prayer.objects.requests().select_related("state", "author"),
                               pk=pk)
    if not prayer.is_public:
        raise Http404("No such request.")
    status = 400
    try:
        note = pray_with_note(user=request.user, prayer=prayer, text=text)
    except ValidationError as invalid:
        error = invalid.messages[0]
    except Refused as refusal:
        error, status = refusal.message, refusal.status
    else:
        if note.is_public:
            messages.success(request, "Thank you for praying. Your note is with the member "
                             "who asked.")
        else:
            messages.info(request, "Thank you for praying. Notes with links to other sites "
                          "are read by our team first; yours is waiting for them.")
        return HttpResponseRedirect(_back_url(request, prayer))
    return render(request, "prayers/note_form.html", {
        "prayer": prayer, "note": text, "error": error, "max": NOTE_MAX_LENGTH,
        "adding": request.POST.get("with") == "note",
        "next": _back_url(request, prayer),
    }, status=status)


@login_required
@require_POST
def unprayed(request, pk):
    """The member takes back their "I Prayed" (a click made by mistake)."""
    prayer = _visible_prayer(pk)
    back = _back_url(request, prayer)
    if not allow("prayed", request.user.pk, limit=PRAYED_LIMIT, period=60):
        if _wants_json(request):
            return JsonResponse({"error": SLOW_DOWN}, status=429)
        messages.warning(request, SLOW_DOWN)
        return HttpResponseRedirect(back)
    unmark_prayed(user=request.user, prayer=prayer)
    prayer.refresh_from_db(fields=["prayed_count"])
    if _wants_json(request):
        return JsonResponse(_state(prayer.pk, prayer.prayed_count, prayed=False))
    return HttpResponseRedirect(back)


def _state(pk, count, *, prayed: bool) -> dict:
    """What the button shows after a click, for the script to update it in place."""
    return {
        "prayed": prayed,
        "count": count,
        "label": prayed_label(count),
        "action": reverse("prayers:unprayed" if prayed else "prayers:prayed", args=[pk]),
    }
