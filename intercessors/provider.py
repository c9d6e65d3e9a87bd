"""The mail provider's tracking webhook (django-anymail), for the configured provider
only, and only where its events can be proved: Mailgun signs each one; any other
must carry ANYMAIL_WEBHOOK_SECRET as basic auth."""
from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

SIGNS_ITS_OWN = {"mailgun"}


def _tracking_views() -> dict:
    from anymail import urls

    return {pattern.name.removesuffix("_tracking_webhook"): pattern.callback
            for pattern in urls.urlpatterns
            if getattr(pattern, "name", "") and pattern.name.endswith("_tracking_webhook")}


@csrf_exempt  # the provider's signature, or the shared secret, is the proof
def tracking(request, provider: str):
    view = _tracking_views().get(provider)
    if view is None or provider != settings.MAIL_PROVIDER:
        raise Http404("No such webhook.")
    if provider not in SIGNS_ITS_OWN and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise Http404("This provider's events need ANYMAIL_WEBHOOK_SECRET.")
    return view(request)
