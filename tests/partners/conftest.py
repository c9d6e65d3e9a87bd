"""Online giving in tests: the stand-in for Stripe (tests.stripe_server)."""
from tests.stripe_server import stripe_double, stripe_on  # noqa: F401 (fixtures)
