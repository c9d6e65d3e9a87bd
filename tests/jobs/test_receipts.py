"""Gift receipts with a real worker and a real SMTP server: a signed event records
the gift and its receipt in the outbox, the worker delivers it once, and the same
event again sends nothing."""
import json
import time

import pytest
from django.test import Client

from library.models import OutboxMessage
from partners.models import Gift, Partner
from tests.stripe_server import event, invoice, sign, stripe_double, stripe_on  # noqa: F401

pytestmark = pytest.mark.postgres_pass


def test_a_receipt_leaves_through_the_worker_once(workers, mail_server, stripe_on):  # noqa: F811
    Partner.objects.create(email="lydia@example.org", first_name="Lydia", last_name="Purple",
                           stripe_customer_id="cus_w", stripe_subscription_id="sub_w",
                           subscription_status="active", monthly_amount_cents=2500)
    worker = workers()
    payload = json.dumps(event("invoice.paid", invoice(subscription="sub_w", customer="cus_w",
                                                       amount=2500)))
    for _ in range(2):  # delivered, then delivered again
        response = Client().post("/partner/stripe/webhook/", payload,
                                 content_type="application/json",
                                 HTTP_STRIPE_SIGNATURE=sign(payload))
        assert response.status_code == 200
    receipt, = mail_server.inbox.wait_for(1, timeout=40) or [None]
    assert receipt is not None, worker.output()
    assert receipt["To"] == "lydia@example.org" and "$25" in receipt["Subject"]
    body = receipt.get_payload(decode=True).decode()
    assert "No goods or services were provided in exchange for this contribution" in body
    assert "EIN: 12-3456789" in body
    time.sleep(2)  # long enough for any repeat to arrive
    assert len(mail_server.inbox.messages) == 1 and Gift.objects.count() == 1
    assert OutboxMessage.objects.get().status == "sent"
