"""Visitors' addresses, for rate limits: X-Forwarded-For is believed only from our proxy."""
from django.test import RequestFactory

from library.web.ratelimit import client_ip


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_from_our_proxy_the_address_it_added_counts(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    request = request_from("10.0.0.2", "198.51.100.77, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"  # what a visitor typed first is not believed


def test_a_forged_header_sent_straight_to_the_app_server_is_ignored(settings):
    """Before: with DJANGO_BEHIND_PROXY=1, anyone reaching gunicorn directly chose their
    address in X-Forwarded-For, and so escaped every per-address limit."""
    settings.TRUSTED_PROXY_COUNT = 1  # what DJANGO_BEHIND_PROXY=1 set before
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(request_from("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_a_chain_of_our_proxies_is_walked_back_to_the_visitor(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = request_from("10.0.0.2", "192.0.2.1, 203.0.113.9, 10.0.0.7")
    assert client_ip(request) == "203.0.113.9"


def test_login_limits_use_the_same_address(settings, client, db):
    from allauth.account.adapter import get_adapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what DJANGO_BEHIND_PROXY=1 set before
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    request = request_from("203.0.113.5", "198.51.100.1")
    assert get_adapter().get_client_ip(request) == "203.0.113.5"


def test_over_a_unix_socket_our_proxy_is_believed_only_when_there_is_one(settings):
    """gunicorn on a unix socket gives no address (REMOTE_ADDR ""): only a program on
    the machine can open the socket, so behind our proxy the request is the proxy's;
    without one, the header is still nobody's word."""
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, ["127.0.0.1", "::1"]
    assert client_ip(request_from("", "198.51.100.77, 203.0.113.9")) == "203.0.113.9"
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = False, []
    assert client_ip(request_from("", "203.0.113.9")) == ""
