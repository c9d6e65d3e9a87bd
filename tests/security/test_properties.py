"""Property tests: whatever arrives in the forms (any Unicode, very long text, NUL
bytes, wrong types, missing fields), the answer is never a server error."""
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from library.web import ratelimit
from tests.factories import make_article, make_member

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

FUZZ = settings(
    max_examples=40, deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    ],
)
text = st.one_of(
    st.text(max_size=300),
    # Very long text, built cheaply: a short piece repeated thousands of times.
    st.tuples(st.text(min_size=1, max_size=4), st.integers(1500, 9000)).map(
        lambda piece: piece[0] * piece[1]
    ),
    st.just("\x00"),
    st.just("a\x00b"),
    st.integers().map(str),
    st.just(""),
)
fields = st.dictionaries(
    st.sampled_from(["body", "parent", "target", "object_id", "amount_choice", "other_amount",
                     "frequency", "first_name", "last_name", "email", "state", "phone",
                     "website", "display_name", "home_state", "notify_replies", "q", "page",
                     "next", "topic", "password", "login"]),
    text,
    max_size=12,
)


@pytest.fixture
def member_client(db):
    client = Client()
    client.force_login(make_member())
    return client


@pytest.mark.parametrize("url", ["/comments/post/", "/partner/", "/accounts/profile/",
                                 "/accounts/login/", "/accounts/signup/", "/accounts/welcome/"])
@FUZZ
@given(data=fields)
def test_forms_never_answer_500(member_client, url, data):
    ratelimit.reset()  # rate limits would otherwise turn most examples into 429s
    assert member_client.post(url, data).status_code < 500
    assert Client().post(url, data).status_code < 500


@FUZZ
@given(data=fields)
def test_prayed_and_search_never_answer_500(member_client, data):
    ratelimit.reset()
    post = make_article()
    assert member_client.post(f"/prayers/{post.prayer.pk}/prayed/", data).status_code < 500
    assert member_client.get("/search/", data).status_code < 500
    assert member_client.get("/articles/", data).status_code < 500
