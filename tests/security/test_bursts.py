"""Bursts of parallel requests meet the same limits as a steady stream."""
import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.test import Client

from tests.concurrency import at_once, needs_postgres
from tests.factories import make_member

TOO_MANY = "Too many failed login attempts"

# Forty requests at once: another test's load would blur what "at once" means.
pytestmark = pytest.mark.serial


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_forty_parallel_password_guesses_get_five_tries(monkeypatch):
    """allauth counts failures under a lock in the shared cache, so a burst of
    guesses from forty addresses gets exactly the five the limit allows."""
    # allauth refuses (with the same message) after waiting 1 s for its lock;
    # a slow machine must not turn that into fewer than five tries.
    monkeypatch.setattr(allauth_ratelimit, "CACHE_LOCK_WAIT_TIMEOUT", 30)
    member = make_member()

    def guess(n):
        response = Client(REMOTE_ADDR=f"10.0.{n}.1").post(
            "/accounts/login/", {"login": member.email, "password": f"guess-{n}"}
        )
        return response.status_code, TOO_MANY in response.content.decode()

    answers = at_once([lambda n=n: guess(n) for n in range(40)])
    assert len(answers) == 40
    assert all(status == 200 for status, _ in answers)
    tried = sum(1 for _, refused in answers if not refused)
    assert tried == 5
