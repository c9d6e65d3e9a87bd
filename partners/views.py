"""Becoming a partner: the sign-up page (a pledge, or Stripe's checkout when online
giving is on), the thanks page for this browser's pledge, the links that open the
customer portal for a partner's own gift, and Stripe's webhook."""
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from library.web.ratelimit import allow, client_network

from . import events, giving, statements
from .forms import PartnerForm, new_form_token
from .models import Gift, Partner, PartnerPledge, cents_display
from .services import (
    PLEDGE_SESSION_KEY,
    PLEDGES_SESSION_KEY,
    checkout_failed,
    create_pledge,
    give_online,
    partner_for,
    partner_from_token,
)

logger = logging.getLogger(__name__)

PLEDGES_PER_HOUR = 5


def _leads_to_stripe(response):
    """A page whose form leads to Stripe's pages (the redirect is checked too)."""
    if giving.online_giving_on():
        response._csp_update = {"form-action": giving.page_origins()}
    return response


def _partner_page(request, form, *, status=200, error=None, contact=False):
    return _leads_to_stripe(render(
        request,
        "partners/signup.html",
        {
            "form": form,
            "error": error,
            "contact": contact,
            "checkout_url": settings.PARTNER_CHECKOUT_URL,
            "online": giving.online_giving_on(),
            "ministry_name": settings.MINISTRY_NAME,
            "tax_notice": settings.MINISTRY_TAX_NOTICE,
        },
        status=status,
    ))


def _initial(user):
    """A new form: its own token, and a member's name, email and state filled in."""
    if not user.is_authenticated:
        return {"form_token": new_form_token()}
    first, last = user.first_name, user.last_name
    if not (first or last) and user.display_name:
        first, _, last = user.display_name.partition(" ")
    return {"first_name": first, "last_name": last, "email": user.email,
            "state": user.home_state_id, "form_token": new_form_token()}


@require_http_methods(["GET", "POST"])
def partner(request):
    if request.method == "GET":
        return _partner_page(request, PartnerForm(initial=_initial(request.user)))
    form = PartnerForm(request.POST)
    if not form.is_valid():
        return _partner_page(request, form, status=400)
    # Only pledges count toward the limit: typing mistakes corrected along the way
    # must not keep a partner from giving.
    if not allow("partner", client_network(request), limit=PLEDGES_PER_HOUR, period=3600):
        return _partner_page(
            request, form, status=429, contact=True,
            error="We have received several pledges from your connection in the last hour. "
            "Please try again in a little while.",
        )
    data = form.cleaned_data
    earlier = request.session.get(PLEDGES_SESSION_KEY, [])
    online = giving.online_giving_on()
    pledge, created = create_pledge(
        member=request.user,
        earlier_ids=earlier,
        form_token=data["form_token"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        state=data["state"],
        amount=data["amount"],
        frequency=data["frequency"],
        wants_emails=data["wants_emails"],
        notify=not online,
    )
    request.session[PLEDGE_SESSION_KEY] = pledge.pk
    request.session[PLEDGES_SESSION_KEY] = [*earlier, pledge.pk][-20:]
    if not online:
        return redirect("partner:thanks")
    return _to_checkout(request, form, pledge, first_time=created)


def _to_checkout(request, form, pledge, *, first_time):
    """On to Stripe's checkout (303: the browser follows with GET); when Stripe is away,
    the pledge stays for staff and the partner is told so, plainly."""
    data = form.cleaned_data
    partner = partner_for(member=request.user, email=data["email"],
                          first_name=data["first_name"], last_name=data["last_name"])
    try:
        url = give_online(
            pledge=pledge, partner=partner,
            success_url=request.build_absolute_uri(reverse("partner:thanks")),
            cancel_url=request.build_absolute_uri(reverse("partner:signup")),
        )
    except giving.ProviderAway:
        # Answered 200, not 503: the session, which keeps this browser's pledge so a
        # second try finds it, is saved only with an answer below 500.
        checkout_failed(pledge=pledge, first_time=first_time)
        return _partner_page(
            request, form, contact=True,
            error=f"We could not reach our card payment service just now, and nothing was "
            f"charged. Your pledge is saved (reference {pledge.reference}): someone from our "
            "team will contact you within two working days, or you can try again in a few "
            "minutes.",
        )
    return HttpResponseRedirect(url, status=303)


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
        "partners/thanks.html",
        {"pledge": pledge, "checkout_url": settings.PARTNER_CHECKOUT_URL,
         "online": bool(pledge.checkout_session_id),
         "tax_notice": settings.MINISTRY_TAX_NOTICE},
    )


def _portal(request, partner, *, back):
    """Stripe's customer portal for `partner`'s own customer, or a plain page saying
    why not."""
    if not giving.online_giving_on() or partner is None or not partner.stripe_customer_id:
        return render(request, "partners/manage.html", {"nothing": True}, status=404)
    try:
        url = giving.portal_url(customer_id=partner.stripe_customer_id,
                                return_url=request.build_absolute_uri(back))
    except giving.ProviderAway:
        return render(request, "partners/manage.html", {"away": True}, status=503)
    return HttpResponseRedirect(url, status=303)


@require_http_methods(["GET", "POST"])
def manage(request, token):
    """The link in every receipt: a button (mail scanners follow links), then the
    portal for the partner the link was signed for, and no one else."""
    partner = partner_from_token(token)
    if partner is None:
        return render(request, "partners/manage.html", {"bad_link": True}, status=400)
    if request.method == "POST":
        return _portal(request, partner, back=reverse("partner:signup"))
    return _leads_to_stripe(render(request, "partners/manage.html", {"token": token}))


@login_required
@require_POST
def manage_mine(request):
    """A member's own gift, from their account page."""
    partner = Partner.objects.filter(member=request.user).first()
    if partner is None or not partner.stripe_customer_id:
        messages.info(request, "There is no gift given online to manage yet.")
        return redirect("accounts:profile")
    return _portal(request, partner, back=reverse("accounts:profile"))


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events, verified by their signature: the only way a gift is recorded."""
    if not giving.online_giving_on():
        return HttpResponse(status=404)
    try:
        event = giving.verified_event(request.body, request.headers.get("Stripe-Signature", ""))
    except ValueError:
        return HttpResponse("Invalid signature.", status=400, content_type="text/plain")
    try:
        outcome = events.take(event)
    except giving.ProviderAway:
        # Nothing was kept; Stripe sends the event again later.
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    logger.info("Stripe event %s (%s): %s", event.get("id"), event.get("type"), outcome)
    return HttpResponse(outcome, content_type="text/plain")


# A member's giving, and year-end statements.

@login_required
@require_safe
@never_cache
def my_giving(request):
    """A member's gifts, their monthly gift's state, and a statement for each year
    they gave."""
    partner = Partner.objects.filter(member=request.user).first()
    gifts = list(Gift.objects.filter(partner=partner).order_by("-given_at", "-pk")) \
        if partner else []
    return render(request, "partners/giving.html", {
        "partner": partner, "gifts": gifts, "years": statements.gift_years(gifts),
        "total": cents_display(sum(gift.kept_cents for gift in gifts))})


@login_required
@require_safe
@never_cache
def my_statement(request, year, as_pdf=False):
    """The logged-in member's own statement for `year`: by their own partner record
    alone, so no address can name anyone else's."""
    found = statements.statement_year(year)
    if found is None:
        return _no_such_year(request, year)
    partner = Partner.objects.filter(member=request.user).first()
    statement = (statements.statement_for(partner, found) if partner
                 else statements.Statement(partner=None, year=found))
    return _statement(request, statement, as_pdf=as_pdf,
                      pdf_url=reverse("giving:statement-pdf", args=[found]))


@require_safe
@never_cache
def statement_by_link(request, token, as_pdf=False):
    """The link in a statement's mail, for a donor without an account: the statement
    it was signed for, and no other."""
    found = statements.from_token(token)
    if found is None:
        return render(request, "partners/statement_bad_link.html", status=400)
    partner, year = found
    return _statement(request, statements.statement_for(partner, year), as_pdf=as_pdf,
                      pdf_url=reverse("partner:statement-pdf", args=[token]))


def _statement(request, statement, *, as_pdf, pdf_url):
    if as_pdf:
        response = HttpResponse(statements.pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="giving-statement-{statement.year}.pdf"')
        return response
    return render(request, "partners/statement.html", {
        "statement": statement, "pdf_url": pdf_url, **statements.ministry()})


def _no_such_year(request, year):
    return render(request, "partners/statement_no_year.html", {"asked": year[:12]}, status=404)
