"""Becoming a partner: the sign-up page, and the thanks page for this browser's pledge."""
from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from library.web.ratelimit import allow, client_network

from .forms import PartnerForm
from .models import PartnerPledge
from .services import PLEDGE_SESSION_KEY, PLEDGES_SESSION_KEY, create_pledge

PLEDGES_PER_HOUR = 5


def _partner_page(request, form, *, status=200, error=None, contact=False):
    return render(
        request,
        "partners/signup.html",
        {
            "form": form,
            "error": error,
            "contact": contact,
            "checkout_url": settings.PARTNER_CHECKOUT_URL,
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
        "partners/thanks.html",
        {"pledge": pledge, "checkout_url": settings.PARTNER_CHECKOUT_URL,
         "tax_notice": settings.MINISTRY_TAX_NOTICE},
    )
