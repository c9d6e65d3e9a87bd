"""A stand-in for the parts of Stripe the site calls, on a loopback port: the API
(checkout sessions, customer-portal sessions, customers) answering with the shapes
Stripe documents, a hosted checkout page whose "Pay" button returns to the
success_url, and a portal page. Also the events Stripe would send, signed with the
scheme its library checks (`t=…,v1=HMAC-SHA256(secret, "t.payload")`)."""
import hashlib
import hmac
import html
import itertools
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.net import free_port

WEBHOOK_SECRET = "whsec_tests_" + "k" * 24
SECRET_KEY = "sk_test_tests_only"
_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{next(_ids):06d}{secrets.token_hex(4)}"


class StripeDouble:
    """Stripe's API in a thread of this process. `requests` lists every API call as
    (method, path, form fields, idempotency key); `delay` makes every API answer that
    many seconds late; `failing` makes it answer 500."""

    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sessions: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.portal_sessions: dict[str, dict] = {}
        # Which invoice each payment intent paid (Stripe's invoice payments).
        self.invoice_payments: dict[str, str] = {}
        self.requests: list[tuple] = []
        self.delay = 0.0
        self.failing = False
        # A late answer to a test that has ended (a delayed request) changes nothing
        # of the next test's.
        self.generation = 0
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._lock = threading.Lock()
        double = self

        class Handler(_Handler):
            pass

        Handler.double = double
        self.server = _Server(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reset(self):
        with self._lock:
            self.sessions.clear()
            self.customers.clear()
            self.portal_sessions.clear()
            self.invoice_payments.clear()
            self.requests.clear()
            self._idempotent.clear()
            self.delay, self.failing = 0.0, False
            self.generation += 1

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def api_calls(self, path: str) -> list[tuple]:
        return [r for r in self.requests if r[1] == path]

    # The API, as Stripe answers it.

    def create_checkout_session(self, form: dict) -> dict:
        session_id = new_id("cs")
        mode = form["mode"]
        amount = int(form["line_items[0][price_data][unit_amount]"])
        session = {
            "id": session_id, "object": "checkout.session", "mode": mode, "status": "open",
            "payment_status": "unpaid", "amount_total": amount,
            "currency": form["line_items[0][price_data][currency]"],
            "customer": form.get("customer"), "customer_email": form.get("customer_email"),
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {key[len("metadata["):-1]: value for key, value in form.items()
                         if key.startswith("metadata[")},
            "subscription": None, "payment_intent": None,
            "success_url": form["success_url"], "cancel_url": form["cancel_url"],
            "url": f"{self.base}/pay/{session_id}", "livemode": False,
            "created": int(time.time()),
        }
        self.sessions[session_id] = session
        return session

    def create_portal_session(self, form: dict) -> dict:
        portal_id = new_id("bps")
        portal = {"id": portal_id, "object": "billing_portal.session",
                  "customer": form["customer"], "return_url": form.get("return_url"),
                  "url": f"{self.base}/portal/{portal_id}", "livemode": False,
                  "created": int(time.time())}
        self.portal_sessions[portal_id] = portal
        return portal

    def create_customer(self, form: dict) -> dict:
        customer = {"id": new_id("cus"), "object": "customer", "email": form.get("email"),
                    "livemode": False, "created": int(time.time())}
        self.customers[customer["id"]] = customer
        return customer

    def pay(self, session_id: str) -> dict:
        """What Stripe does when the partner pays on the hosted page."""
        session = self.sessions[session_id]
        if not session["customer"]:
            session["customer"] = self.create_customer(
                {"email": session["customer_email"]})["id"]
        session["status"] = "complete"
        session["payment_status"] = "paid"
        if session["mode"] == "subscription":
            session["subscription"] = new_id("sub")
        else:
            session["payment_intent"] = new_id("pi")
        return session


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that stopped waiting (the site's short timeout) is expected."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    double: StripeDouble

    def log_message(self, *args):
        pass

    def _form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        return dict(parse_qsl(body, keep_blank_values=True))

    def _json(self, status: int, data: dict):
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(6))
        self.end_headers()
        self.wfile.write(body)

    def _html(self, status: int, text: str):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str):
        self.send_response(303)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # noqa: N802 (the standard library's name)
        double = self.double
        kind, _, item = self.path.strip("/").partition("/")
        if kind == "pay" and item in double.sessions:
            session = double.sessions[item]
            amount = f"${session['amount_total'] / 100:,.2f}"
            return self._html(200, (
                "<!doctype html><title>Test checkout</title><h1>Test checkout</h1>"
                f"<p class='amount'>{html.escape(amount)}"
                f"{' per month' if session['mode'] == 'subscription' else ''}</p>"
                f"<form method='post' action='/pay/{item}'>"
                "<button type='submit'>Pay</button></form>"))
        if kind == "portal" and item in double.portal_sessions:
            portal = double.portal_sessions[item]
            return self._html(200, (
                "<!doctype html><title>Test customer portal</title>"
                f"<h1>Customer portal</h1><p class='customer'>{html.escape(portal['customer'])}"
                "</p>"))
        url = urlsplit(self.path)
        if url.path.startswith("/v1/"):
            query = dict(parse_qsl(url.query))
            double.requests.append(("GET", url.path, query, ""))
            if double.delay:
                time.sleep(double.delay)
            if double.failing:
                return self._json(500, {"error": {"type": "api_error",
                                                  "message": "Something went wrong."}})
        if url.path == "/v1/invoice_payments":
            intent = query.get("payment[payment_intent]")
            found = [{"id": new_id("inpay"), "object": "invoice_payment",
                      "invoice": double.invoice_payments[intent], "status": "paid",
                      "payment": {"type": "payment_intent", "payment_intent": intent}}
                     ] if intent in double.invoice_payments else []
            return self._json(200, {"object": "list", "data": found, "has_more": False,
                                    "url": "/v1/invoice_payments"})
        if self.path.startswith("/v1/checkout/sessions/"):
            session = double.sessions.get(self.path.rsplit("/", 1)[1])
            if session:
                return self._json(200, session)
        return self._json(404, {"error": {"type": "invalid_request_error",
                                          "message": "No such object."}})

    def do_POST(self):  # noqa: N802
        double = self.double
        form = self._form()
        kind, _, item = self.path.strip("/").partition("/")
        if kind == "pay" and item in double.sessions:
            session = double.pay(item)
            return self._redirect(
                session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))
        if not self.headers.get("Authorization", "").startswith("Bearer sk_"):
            return self._json(401, {"error": {"type": "invalid_request_error",
                                              "message": "Invalid API Key provided."}})
        key = self.headers.get("Idempotency-Key", "")
        double.requests.append(("POST", self.path, form, key))
        generation = double.generation
        if double.delay:
            time.sleep(double.delay)
        if double.failing:
            return self._json(500, {"error": {"type": "api_error",
                                              "message": "Something went wrong."}})
        with double._lock:
            if generation != double.generation:
                return self._json(500, {"error": {"type": "api_error",
                                                  "message": "Too late."}})
            if key and key in double._idempotent:
                return self._json(*double._idempotent[key])
            makers = {"/v1/checkout/sessions": double.create_checkout_session,
                      "/v1/billing_portal/sessions": double.create_portal_session,
                      "/v1/customers": double.create_customer}
            if self.path not in makers:
                return self._json(404, {"error": {"type": "invalid_request_error",
                                                  "message": "Unrecognized request URL."}})
            answer = (200, makers[self.path](form))
            if key:
                double._idempotent[key] = answer
        return self._json(*answer)


def sign(payload: str, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header for `payload`, as Stripe makes it."""
    at = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {"id": event_id or new_id("evt"), "object": "event", "api_version": "2026-10-28",
            "created": int(time.time()), "type": event_type, "livemode": False,
            "pending_webhooks": 1, "data": {"object": obj}}


def invoice(*, subscription: str, customer: str, amount: int, pledge: str | None = None,
            currency: str = "usd", invoice_id: str | None = None) -> dict:
    """An invoice as the 2025 and later API versions show it (the subscription under
    `parent`)."""
    return {
        "id": invoice_id or new_id("in"), "object": "invoice", "customer": customer,
        "amount_due": amount, "amount_paid": amount, "currency": currency,
        "status": "paid", "billing_reason": "subscription_cycle",
        "status_transitions": {"paid_at": int(time.time())},
        "parent": {"type": "subscription_details", "subscription_details": {
            "subscription": subscription,
            "metadata": {"pledge": pledge} if pledge else {}}},
    }


@pytest.fixture(scope="session")
def stripe_double():
    """One stand-in for the whole session of this process."""
    double = StripeDouble()
    yield double
    double.stop()


@pytest.fixture
def stripe_on(settings, stripe_double):
    """Online giving on, talking to the stand-in, which starts each test empty."""
    stripe_double.reset()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_double.base
    settings.STRIPE_TIMEOUT = 2
    settings.MINISTRY_LEGAL_NAME = "Intercessors Prayer Ministry, Inc."
    settings.MINISTRY_EIN = "12-3456789"
    settings.PARTNER_CHECKOUT_URL = ""
    return stripe_double
