"""The mail provider's tracking webhook (django-anymail), for the configured provider
only, and only where its events can be proved: Mailgun signs each one; any other
must carry ANYMAIL_WEBHOOK_SECRET as basic auth.

Mailgun signs a timestamp and a random token, not the event itself, so a signature
seen once could be sent again with any event. One is taken only while it is
fresh (five minutes either way) and only once: its token is kept in the default
cache, a database table every server shares, for longer than that window."""
import json
import time

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
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


class MailgunTracking(MailgunTrackingWebhookView):
    """Anymail's Mailgun view, taking each signature once and only while fresh."""

    def validate_request(self, request):
        super().validate_request(request)  # the signature itself, and the payload's shape
        timestamp, token = _signed_parts(request)
        try:
            age = abs(time.time() - float(timestamp))
        except ValueError:
            raise AnymailWebhookValidationFailure("Mailgun's timestamp is not a number.") from None
        if age > SIGNATURE_AGE:
            raise AnymailWebhookValidationFailure(
                "Mailgun's signature is more than five minutes from now: refused.")
        # add() is atomic in the database cache: of two requests with one token, one wins.
        if not cache.add(f"mailgun:token:{token}", True, TOKEN_KEPT):
            raise AnymailWebhookValidationFailure("This Mailgun signature was already used.")
        request.mailgun_token = token


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
    except Exception:
        _release_token(request)
        raise
    if response.status_code >= 500:
        _release_token(request)
    return response


def _release_token(request) -> None:
    """The event was not taken: Mailgun sends it again, and that try may use its token."""
    token = getattr(request, "mailgun_token", None)
    if token:
        cache.delete(f"mailgun:token:{token}")
