"""The mail provider's tracking webhook (django-anymail), for the configured provider
only, and only where its events can be proved: Mailgun signs each one; any other
must carry ANYMAIL_WEBHOOK_SECRET as basic auth.

Mailgun signs a timestamp and a random token, not the event itself, so a signature
seen once could be sent again with any event. One is taken only while it is
fresh (five minutes either way) and only once: what it signs is kept in the
default cache, a database table every server shares, for longer than that window.
A stale or used one is answered 406, which Mailgun takes as "do not retry"; so an
event whose first delivery failed and whose retry comes later than five minutes
is lost (Mailgun keeps its own list of addresses that bounce)."""
import hashlib
import json
import time

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt

SIGNS_ITS_OWN = {"mailgun"}
SIGNATURE_AGE = 5 * 60  # seconds a signature is taken for, before or after its time
TOKEN_KEPT = 3 * SIGNATURE_AGE  # outlives the window of any token it holds


def _signed_parts(request) -> tuple[str, str]:
    """The timestamp and token the request's signature covers, read as Mailgun
    sends them: a JSON "signature" block, or (older webhooks) form fields."""
    if request.content_type == "application/json":
        block = json.loads(request.body.decode("utf-8"))["signature"]
        return str(block["timestamp"]), str(block["token"])
    return request.POST["timestamp"], request.POST["token"]


class Refused(AnymailWebhookValidationFailure):
    """A signature that was good once: answered 406, which tells Mailgun not to retry."""


class MailgunTracking(MailgunTrackingWebhookView):
    """Anymail's Mailgun view, taking each signature once and only while fresh."""

    def validate_request(self, request):
        super().validate_request(request)  # the signature itself, and the payload's shape
        timestamp, token = _signed_parts(request)
        # The signature covers timestamp and token written one after the other, so a
        # timestamp must be digits alone: "…e0" with a token two characters shorter
        # would sign the same.
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            raise AnymailWebhookValidationFailure("Mailgun's timestamp is not a time.")
        if abs(time.time() - int(timestamp)) > SIGNATURE_AGE:
            raise Refused("Mailgun's signature is more than five minutes from now: refused.")
        signed = hashlib.sha256(f"{timestamp}{token}".encode()).hexdigest()
        # add() is atomic in the database cache: of two requests with one signature,
        # one wins.
        if not cache.add(f"mailgun:signed:{signed}", True, TOKEN_KEPT):
            raise Refused("This Mailgun signature was already used.")
        request.mailgun_signed = signed


def _tracking_views() -> dict:
    from anymail import urls

    views = {pattern.name.removesuffix("_tracking_webhook"): pattern.callback
             for pattern in urls.urlpatterns
             if getattr(pattern, "name", "") and pattern.name.endswith("_tracking_webhook")}
    views["mailgun"] = _MAILGUN
    return views


_MAILGUN = MailgunTracking.as_view()


@csrf_exempt  # the provider's signature, or the shared secret, is the proof
def tracking(request, provider: str):
    view = _tracking_views().get(provider)
    if view is None or provider != settings.MAIL_PROVIDER:
        raise Http404("No such webhook.")
    if provider not in SIGNS_ITS_OWN and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise Http404("This provider's events need ANYMAIL_WEBHOOK_SECRET.")
    try:
        response = view(request)
    except Refused as refused:
        return HttpResponse(str(refused), status=406, content_type="text/plain")
    except Exception:
        _release_token(request)
        raise
    if response.status_code >= 500:
        _release_token(request)
    return response


def _release_token(request) -> None:
    """The event was not taken: Mailgun sends it again, and a try within the five
    minutes may use its signature."""
    signed = getattr(request, "mailgun_signed", None)
    if signed:
        cache.delete(f"mailgun:signed:{signed}")
