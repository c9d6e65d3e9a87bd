"""Prayer updates by email: subscribing, confirming, praying from the inbox,
changing choices and leaving. Links in mail carry signed tokens; a GET never
changes anything (mail scanners open links before people do)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from library.pages.pagecache import shared_page
from library.web import ratelimit
from prayers import inbox

from . import archive, services
from .forms import ChoicesForm, MemberChoicesForm, SubscribeForm
from .models import ARCHIVE, Mailing

SUBSCRIBES_PER_HOUR = 10


def _choices(form) -> dict:
    data = form.cleaned_data
    return {"daily": data["daily"], "weekly": data["weekly"], "answered": data["answered"],
            "state": data["state"], "urgent": data["urgent"]}


@require_http_methods(["GET", "POST"])
def subscribe(request):
    """The full form; the short forms on the home page and under posts send their
    address here (a GET), so cached pages need no CSRF token."""
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            # One visitor cannot have us mail a list of strangers.
            if not ratelimit.allow("updates-subscribe", ratelimit.client_network(request),
                                   limit=SUBSCRIBES_PER_HOUR, period=3600):
                return render(request, "429.html", status=429)
            services.subscribe(email=form.cleaned_data["email"], **_choices(form))
            return redirect("updates:check-inbox")
    else:
        email = request.GET.get("email", "")[:254]
        form = SubscribeForm(initial={"email": email, "daily": True})
    member = request.user.is_authenticated
    return render(request, "updates/subscribe.html", {"form": form, "member": member},
                  status=400 if form.is_bound else 200)


@require_safe
def check_inbox(request):
    return render(request, "updates/check_inbox.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscriber = services.subscriber_for_confirm(token)
    except services.BadLink as bad:
        return render(request, "updates/bad_link.html", {"message": bad.message}, status=400)
    if request.method == "POST":
        services.confirm(subscriber)
        subscriber.refresh_from_db()
    return render(request, "updates/confirm.html", {
        "subscriber": subscriber, "done": subscriber.is_active,
        "left": subscriber.left_at is not None, "choices": services.describe(subscriber)})


@require_http_methods(["GET", "POST"])
def pray(request, token):
    """The mail's "I Prayed": the GET asks, the POST records, then the reader sees the
    post. A member logged in is counted as themselves."""
    try:
        subscriber, prayer = services.read_pray_token(token)
    except services.BadLink as bad:
        return render(request, "updates/bad_link.html", {"message": bad.message}, status=400)
    if request.method == "POST":
        services.pray_from_mail(subscriber=subscriber, prayer=prayer, user=request.user)
        messages.success(request, "Thank you for praying. Your prayer is counted.")
        response = redirect(prayer.get_absolute_url())
        inbox.remember(request, response, prayer.pk)  # "You prayed" here, no sign-up box
        return response
    return render(request, "updates/pray.html", {"prayer": prayer})


@csrf_exempt  # the signed link is the proof; mail programs POST it in one click (RFC 8058)
@require_http_methods(["GET", "POST"])
def leave(request, token):
    """A subscriber's own page: change what they get, or leave. A POST of
    "List-Unsubscribe=One-Click" (as mail programs send it) leaves at once."""
    try:
        subscriber = services.subscriber_for_leave(token)
    except services.BadLink as bad:
        return render(request, "updates/bad_link.html", {"message": bad.message}, status=400)
    left = False
    answered = subscriber.member.notify_answered if subscriber.member_id else subscriber.answered
    form = ChoicesForm(initial={"daily": subscriber.daily, "weekly": subscriber.weekly,
                                "state": subscriber.state, "answered": answered,
                                "urgent": subscriber.urgent})
    status = 200
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") == "One-Click" or "leave" in request.POST:
            services.leave(subscriber)
            left = True
        else:
            form = ChoicesForm(request.POST)
            if form.is_valid():
                services.set_choices(subscriber, **_choices(form))
                messages.success(request, "Your choices are saved.")
                return redirect("updates:leave", token=token)
            status = 400
    return render(request, "updates/leave.html", {
        "form": form, "left": left or subscriber.left_at is not None,
        "choices": services.describe(subscriber), "subscriber": subscriber}, status=status)


@login_required
@require_POST
def mine(request):
    """A member's choices, from their profile: no address to type or confirm."""
    form = MemberChoicesForm(request.POST, prefix="updates")
    if form.is_valid():
        data = form.cleaned_data
        services.set_member_choices(request.user, daily=data["daily"], weekly=data["weekly"],
                                    state=data["state"], urgent=data["urgent"],
                                    answered=request.user.notify_answered)
        messages.success(request, "Your prayer updates are saved.")
    else:
        messages.error(request, "Please choose a state from the list.")
    return redirect("/accounts/profile/#updates")


# The archive: past emails as their readers got them, less their own links.

def _archive(request, *args, **kwargs):
    return (ARCHIVE,)


@require_safe
@shared_page(query=("page",), depends_on=_archive)
def archive_list(request):
    return render(request, "updates/archive/list.html", {"page": archive.entries(request)})


@require_safe
@shared_page(depends_on=_archive)
def archive_edition(request, kind, day):
    found = archive.editions_of(kind, day)
    return render(request, "updates/archive/edition.html",
                  {"editions": found, "edition": found[0]["edition"], "day": found[0]["day"]})


@require_safe
@shared_page(depends_on=_archive)
def archive_letter(request, pk):
    mailing = get_object_or_404(Mailing.objects.archived().select_related("post"), pk=pk)
    return render(request, "updates/archive/letter.html", {"mailing": mailing})
