from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from intercessors import pagecache
from intercessors.ratelimit import allow, client_network

from .forms import DeleteAccountForm, HomeStateForm, PartnerForm, ProfileForm
from .models import PartnerPledge
from .services import (
    PLEDGE_SESSION_KEY,
    PLEDGES_SESSION_KEY,
    create_pledge,
    delete_account,
    export_member_data,
)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        pagecache.bump()  # display names appear on cached pages
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    pledges = PartnerPledge.objects.filter(member=request.user).order_by("-created_at")
    return render(request, "accounts/profile.html", {"form": form, "pledges": pledges})


@login_required
@require_safe
def export(request):
    """The member's own data as a JSON download."""
    response = JsonResponse(export_member_data(user=request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-intercessors-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request):
    """Asked once, right after sign-up: which state do you call home? (Skippable.)"""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    form = HomeStateForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        pagecache.bump()  # state pages count the members who call them home
        messages.success(request, f"Welcome! {request.user.home_state} is your home state.")
        return redirect(request.user.home_state.get_absolute_url())
    return render(request, "accounts/welcome.html", {"form": form, "next_url": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    # The password check must not become an unlimited guessing oracle.
    if request.method == "POST" and not allow(
        "delete-account", request.user.pk, limit=5, period=300
    ):
        return render(request, "429.html", status=429)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user, forget_pledges=form.cleaned_data["forget_pledges"])
        logout(request)
        messages.success(
            request, "Your account has been deleted. Thank you for praying with us."
        )
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


PLEDGES_PER_HOUR = 5


def _partner_page(request, form, *, status=200, error=None):
    return render(
        request,
        "accounts/partner.html",
        {
            "form": form,
            "error": error,
            "ministry_name": settings.MINISTRY_NAME,
            "tax_notice": settings.MINISTRY_TAX_NOTICE,
        },
        status=status,
    )


def _member_initial(user):
    if not user.is_authenticated:
        return {}
    first, last = user.first_name, user.last_name
    if not (first or last) and user.display_name:
        first, _, last = user.display_name.partition(" ")
    return {"first_name": first, "last_name": last, "email": user.email,
            "state": user.home_state_id}


@require_http_methods(["GET", "POST"])
def partner(request):
    if request.method == "GET":
        return _partner_page(request, PartnerForm(initial=_member_initial(request.user)))
    form = PartnerForm(request.POST)
    if not allow("partner", client_network(request), limit=PLEDGES_PER_HOUR, period=3600):
        form.is_valid()  # so the page shows what was typed
        return _partner_page(
            request, form, status=429,
            error="We have received several sign-ups from your connection in the last hour. "
            "Please wait a while and try again, or contact us directly.",
        )
    if not form.is_valid():
        return _partner_page(request, form, status=400)
    data = form.cleaned_data
    earlier = request.session.get(PLEDGES_SESSION_KEY, [])
    pledge, _ = create_pledge(
        member=request.user,
        earlier_ids=earlier,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        state=data["state"],
        amount=data["amount"],
        frequency=data["frequency"],
        wants_emails=data["wants_emails"],
    )
    request.session[PLEDGE_SESSION_KEY] = pledge.pk
    request.session[PLEDGES_SESSION_KEY] = [*earlier, pledge.pk][-20:]
    return redirect("partner:thanks")


@require_safe
def partner_thanks(request):
    # The pledge is found through this browser's session, never through the
    # address, so nobody can look up another partner's pledge.
    pk = request.session.get(PLEDGE_SESSION_KEY)
    pledge = PartnerPledge.objects.filter(pk=pk).first() if pk else None
    if pledge is None:
        return redirect("partner:signup")
    return render(
        request,
        "accounts/partner_thanks.html",
        {"pledge": pledge, "checkout_url": settings.PARTNER_CHECKOUT_URL,
         "tax_notice": settings.MINISTRY_TAX_NOTICE},
    )
