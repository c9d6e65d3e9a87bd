from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from library.pages.pagecache import kept_for_member
from library.rules import safe_next
from library.web.pagination import paginate_uncounted
from library.web.ratelimit import allow
from partners import giving
from partners.models import Gift, Partner, PartnerPledge
from prayers.models import Prayer, PrayerMark
from prayers.selectors import notes_for
from updates import services as updates
from updates.forms import MemberChoicesForm

from .forms import DeleteAccountForm, HomeStateForm, ProfileForm
from .services import TooManyChanges, delete_account, export_member_data, save_profile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The profile and the member's prayer updates: one form, one button."""
    form = ProfileForm(request.POST or None, instance=request.user)
    subscription = updates.for_member(request.user)
    updates_form = MemberChoicesForm(request.POST or None, prefix="updates", initial={
        "daily": subscription.daily, "weekly": subscription.weekly,
        "state": subscription.state, "urgent": subscription.urgent})
    if request.method == "POST":
        if not (form.is_valid() and updates_form.is_valid()):
            return _profile_page(request, form, updates_form, subscription)
        try:
            save_profile(form=form)
        except TooManyChanges as refusal:
            form.add_error(None, refusal.message)
            return _profile_page(request, form, updates_form, subscription, status=429)
        # Saving the profile alone subscribes no one.
        if subscription.pk or updates_form.has_changed():
            choices = updates_form.cleaned_data
            updates.set_member_choices(request.user, daily=choices["daily"],
                                       weekly=choices["weekly"], state=choices["state"],
                                       urgent=choices["urgent"],
                                       answered=request.user.notify_answered)
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    return _profile_page(request, form, updates_form, subscription)


def _profile_page(request, form, updates_form, subscription, status=200):
    pledges = PartnerPledge.objects.filter(member=request.user).order_by("-created_at")
    partner = Partner.objects.filter(member=request.user).first()
    gifts = list(Gift.objects.filter(partner=partner)[:24]) if partner else []
    response = render(request, "accounts/profile.html", {
        "form": form, "pledges": pledges, "updates_form": updates_form,
        "partner": partner, "gifts": gifts,
        "manage_gift": bool(partner and partner.stripe_customer_id
                            and giving.online_giving_on()),
        "subscribed": subscription.pk and subscription.is_active,
        "updates_choices": updates.describe(subscription)}, status=status)
    if giving.online_giving_on():
        # The "Manage my gift" button leads to Stripe's customer portal.
        response._csp_update = {"form-action": giving.page_origins()}
    return response


@login_required
@require_safe
def my_prayers(request):
    """The member's prayer journal: what they prayed for, and what they asked."""
    asked = request.GET.get("show") == "requests"
    if asked:
        rows = Prayer.objects.requests().filter(author=request.user, is_deleted=False
                                                ).select_related("state", "author")
        page = paginate_uncounted(request, rows.order_by("-created_at", "-id"))
        notes = notes_for(list(page.object_list))
        for prayer in page:  # what the line says depends on the time too
            prayer.on_the_wall_now = prayer.is_on_the_wall
            prayer.shown_notes = notes.get(prayer.pk, [])
    else:
        # Only what a journal line shows: not the posts' text and search index.
        rows = PrayerMark.objects.filter(user=request.user).select_related(
            "prayer", "prayer__article", "prayer__state", "prayer__leader").only(
            "created_at", "prayer__kind", "prayer__text", "prayer__body_html",
            "prayer__status", "prayer__is_deleted", "prayer__answered_at",
            "prayer__answer_html", "prayer__article__slug", "prayer__article__title",
            "prayer__state__name", "prayer__state__slug", "prayer__leader__slug",
            "prayer__leader__name")
        page = paginate_uncounted(request, rows.order_by("-created_at", "-id"))
    return kept_for_member(request, list(page.object_list) + [page.has_next()], lambda: render(
        request, "accounts/prayers.html", {"page": page, "asked": asked}))


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
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"),
                         reverse("home"))
    form = HomeStateForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            save_profile(form=form)
        except TooManyChanges as refusal:
            form.add_error(None, refusal.message)
            return render(request, "accounts/welcome.html",
                          {"form": form, "next_url": next_url}, status=429)
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


@require_http_methods(["POST"])
def resend_confirmation(request):
    """"Send it again" on the page that asks a new member to confirm their address:
    the link goes again to the address of the sign-up this browser is in the middle
    of, within allauth's own limit on such mail. Nobody else's address can be named
    here, so the page never says whether an address has an account."""
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_to_address,
    )
    from allauth.account.internal.stagekit import unstash_login
    from allauth.account.models import EmailAddress

    login = unstash_login(request, peek=True)
    user = getattr(login, "user", None)
    address = (EmailAddress.objects.filter(user=user, verified=False).order_by("-primary")
               .first() if user is not None and user.pk else None)
    if address is None:
        messages.info(request, "Log in with your email address and password, and if your "
                               "address still needs confirming we will send a new link.")
        return redirect("account_login")
    if not send_verification_email_to_address(request, address, signup=True):
        messages.warning(request, "We sent you a link only a moment ago. Please give it a "
                                  "few minutes, and look in your spam or junk folder too.")
    return redirect("account_email_verification_sent")
