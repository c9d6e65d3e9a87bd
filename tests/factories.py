"""Plain functions that make the rows tests need."""
import itertools

from allauth.account.models import EmailAddress

from accounts.models import User

DEFAULT_PASSWORD = "a-long-prayerful-password"
_seq = itertools.count(1)


def make_member(
    *, email=None, password=DEFAULT_PASSWORD, display_name=None, verified=True, **extra
):
    n = next(_seq)
    email = email or f"member{n}@example.org"
    user = User(
        username=f"member{n}",
        email=email,
        display_name=display_name if display_name is not None else f"Member {n}",
        **extra,
    )
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user
