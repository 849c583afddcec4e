"""One limiter for every door: HTTP requests and live socket messages per session and per
address, failed join codes and failed admin logins; the client address believed from
X-Forwarded-For only through a trusted proxy."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from ideas.models import Idea
from tests.factories import UserFactory, WorkshopPageFactory
from tests.ideas.live import joined_cookie
from workshop_site.asgi import application
from workshop_site.core.client_ip import client_ip, scope_client_ip
from workshop_site.settings.env import env_rate_limits
from workshop_site.users.forms import DEVICE_COOKIE

LIMITS = {
    "http_session": (5, 60),
    "http_ip": (8, 60),
    "socket_message_session": (4, 60),
    "socket_message_ip": (6, 60),
    "join_failed_ip": (3, 60),
    "login_failed_username": (3, 900),
    "login_failed_ip": (5, 900),
    "feedback_session": (30, 600),
    "feedback_ip": (300, 600),
    "taps_session": (1500, 600),
}


@pytest.fixture
def workshop(tree):
    return WorkshopPageFactory(parent=tree["workshop_index"], join_code="LIMIT1", phase="ideas")


# The client address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is whatever the client wrote, ignored.
        ([], "203.0.113.9", "1.2.3.4", "203.0.113.9"),
        # A header from an address that is not a trusted proxy is ignored too.
        (["10.0.0.0/8"], "203.0.113.9", "1.2.3.4", "203.0.113.9"),
        # Through the trusted proxy: the rightmost address that is not ours.
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4", "1.2.3.4"),
        (["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        # Ports and IPv6 brackets as proxies write them.
        (["10.0.0.1"], "10.0.0.1", "198.51.100.7:5123", "198.51.100.7"),
        (["::1"], "::1", "[2001:db8::7]:443", "2001:db8::7"),
        # Only proxies in the chain: the leftmost.
        (["10.0.0.0/8"], "10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),
        # No header through the proxy: the proxy itself.
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
    ],
)
def test_the_client_address_comes_from_the_proxy_only_when_it_is_trusted(proxies, remote, forwarded, expected):
    with override_settings(ATELIER_TRUSTED_PROXIES=proxies):
        assert client_ip(remote, forwarded) == expected


@override_settings(ATELIER_TRUSTED_PROXIES=["127.0.0.1"])
def test_sockets_read_the_address_by_the_same_rule():
    scope = {"client": ["127.0.0.1", 5000], "headers": [(b"x-forwarded-for", b"6.6.6.6, 198.51.100.7")]}
    assert scope_client_ip(scope) == "198.51.100.7"
    assert scope_client_ip({"client": ["203.0.113.1", 1], "headers": scope["headers"]}) == "203.0.113.1"
    assert scope_client_ip({"headers": []}) is None


def test_limits_are_read_from_the_environment_with_clear_errors(monkeypatch):
    defaults = {"http_ip": "10/60", "http_session": "5/60"}
    monkeypatch.setenv("ATELIER_LIMITS_T", "http_ip=100/10")
    assert env_rate_limits("ATELIER_LIMITS_T", defaults) == {"http_ip": (100, 10), "http_session": (5, 60)}
    for bad in ("http_ip=lots", "nope=1/1", "http_ip=0/10", "http_ip"):
        monkeypatch.setenv("ATELIER_LIMITS_T", bad)
        with pytest.raises(ImproperlyConfigured, match="ATELIER_LIMITS_T|http_ip"):
            env_rate_limits("ATELIER_LIMITS_T", defaults)


# HTTP -----------------------------------------------------------------------------------------


@override_settings(ATELIER_RATE_LIMITS=LIMITS)
def test_http_requests_are_limited_per_session_with_the_documented_error(client, tree, workshop):
    client.get("/")  # gives this browser a session
    client.post(f"/api/workshops/{workshop.join_code}/participants",
                {"display_name": "Ana", "role": "citizen"}, content_type="application/json")
    statuses = [client.get(f"/api/workshops/{workshop.join_code}/state").status_code for _ in range(6)]
    assert 429 in statuses
    limited = client.get(f"/api/workshops/{workshop.join_code}/state")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json() == {"code": "rate_limited", "message": limited.json()["message"]}
    page = client.get("/join/")
    assert page.status_code == 429 and "text/html" in page["Content-Type"]
    # Another browser (another session, another address) is not held.
    assert Client(REMOTE_ADDR="10.0.0.9").get(f"/api/workshops/{workshop.join_code}/state").status_code == 200


@override_settings(ATELIER_RATE_LIMITS=LIMITS)
def test_http_requests_are_limited_per_address_whatever_the_session(tree, workshop):
    statuses = [Client(REMOTE_ADDR="198.51.100.1").get("/join/").status_code for _ in range(9)]
    assert statuses[:8] == [200] * 8 and statuses[8] == 429
    assert Client(REMOTE_ADDR="198.51.100.2").get("/join/").status_code == 200


@override_settings(ATELIER_RATE_LIMITS=LIMITS, ATELIER_TRUSTED_PROXIES=[])
def test_a_forged_forwarded_for_does_not_escape_the_address_limit(tree, workshop):
    statuses = [
        Client(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").get("/join/").status_code
        for n in range(9)
    ]
    assert statuses[8] == 429


@override_settings(ATELIER_RATE_LIMITS=LIMITS, ATELIER_TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit(tree, workshop):
    for n in range(9):
        assert Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").get("/join/").status_code == 200


@override_settings(ATELIER_RATE_LIMITS={**LIMITS, "http_session": (1000, 60), "http_ip": (1000, 60)})
def test_guessing_join_codes_is_limited_on_the_page_and_in_the_api(client, tree, workshop):
    for _ in range(3):
        assert client.post("/join/", {"code": "NOPE99"}).status_code == 400
    assert client.post("/join/", {"code": "LIMIT1"}).status_code == 429
    api = client.post("/api/workshops/NOPE98/participants", {"display_name": "X", "role": "citizen"},
                      content_type="application/json")
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"


@override_settings(CACHES={"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}})
def test_pages_still_serve_when_the_cache_of_the_limiter_is_down(client, tree, workshop):
    assert client.get("/join/").status_code == 200
    assert client.post("/join/", {"code": "NOPE99"}).status_code == 400


# Sockets --------------------------------------------------------------------------------------


def _socket(cookie=None, client=("127.0.0.1", 40000), forwarded=None):
    headers = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    if forwarded:
        headers.append((b"x-forwarded-for", forwarded.encode()))
    comm = WebsocketCommunicator(application, "/ws/workshops/LIMIT1/", headers=headers)
    comm.scope["client"] = list(client)  # the connection's own address, as daphne sets it
    return comm


async def _send_posts(comm, count, prefix):
    codes = []
    for n in range(count):
        await comm.send_to(text_data=json.dumps({"type": "idea.post", "ref": f"{prefix}{n}", "text": f"Idee {prefix}{n}"}))
        while True:
            frame = json.loads(await comm.receive_from(timeout=5))
            if frame.get("ref") == f"{prefix}{n}":
                codes.append("ack" if frame["type"] == "ack" else frame["code"])
                break
    return codes


@pytest.mark.django_db(transaction=True)
@override_settings(ATELIER_RATE_LIMITS=LIMITS)
async def test_socket_messages_are_limited_per_session_and_nothing_changes_when_refused(tree, workshop):
    cookie = await database_sync_to_async(joined_cookie)("LIMIT1", "Ana")
    first = _socket(cookie, client=("198.51.100.10", 1))
    assert (await first.connect())[0]
    await first.receive_from()  # snapshot
    codes = await _send_posts(first, 5, "a")
    assert codes == ["ack"] * 4 + ["rate_limited"]
    # A second tab of the same browser shares the session's budget; the socket stays open.
    second = _socket(cookie, client=("198.51.100.11", 1))
    assert (await second.connect())[0]
    await second.receive_from()
    assert await _send_posts(second, 1, "b") == ["rate_limited"]
    assert await database_sync_to_async(Idea.objects.filter(workshop=workshop).count)() == 4
    await first.disconnect()
    await second.disconnect()


@pytest.mark.django_db(transaction=True)
@override_settings(ATELIER_RATE_LIMITS=LIMITS)
async def test_socket_messages_are_limited_per_address_across_sessions(tree, workshop):
    codes = []
    for name in ("Ana", "Bogdan"):
        cookie = await database_sync_to_async(joined_cookie)("LIMIT1", name)
        comm = _socket(cookie, client=("198.51.100.20", 1))
        assert (await comm.connect())[0]
        await comm.receive_from()
        codes += await _send_posts(comm, 4, name)
        await comm.disconnect()
    assert codes.count("ack") == 6 and codes[-2:] == ["rate_limited", "rate_limited"]


@pytest.mark.django_db(transaction=True)
@override_settings(ATELIER_RATE_LIMITS=LIMITS, ATELIER_TRUSTED_PROXIES=["127.0.0.1"])
async def test_sockets_behind_a_trusted_proxy_are_counted_per_real_client(tree, workshop):
    codes = []
    for name in ("Ana", "Bogdan"):
        cookie = await database_sync_to_async(joined_cookie)("LIMIT1", name)
        comm = _socket(cookie, forwarded=f"192.0.2.{len(codes)}")
        assert (await comm.connect())[0]
        await comm.receive_from()
        codes += await _send_posts(comm, 4, name)
        await comm.disconnect()
    assert codes == ["ack"] * 8


# The admin login ------------------------------------------------------------------------------


def _login(client, username, password):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def _refused_for_too_many(response) -> bool:
    errors = response.context["form"].non_field_errors() if response.context else []
    return response.status_code == 200 and any("Too many failed logins" in str(e) for e in errors)


@override_settings(ATELIER_RATE_LIMITS=LIMITS, LANGUAGE_CODE="en")
def test_failed_logins_are_limited_per_user_name_even_with_the_right_password(tree, facilitator):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(3):
        assert not _refused_for_too_many(_login(attacker, "facilitator", "guess"))
    held = _login(attacker, "facilitator", "pw")
    assert _refused_for_too_many(held) and "_auth_user_id" not in attacker.session
    # From another address the user name is held too...
    assert _refused_for_too_many(_login(Client(REMOTE_ADDR="203.0.113.67"), "facilitator", "pw"))
    # ...other users are not.
    UserFactory(username="rezina")
    assert _login(Client(REMOTE_ADDR="203.0.113.68"), "rezina", "pw").status_code == 302


@override_settings(ATELIER_RATE_LIMITS=LIMITS, LANGUAGE_CODE="en")
def test_the_facilitators_own_browser_is_never_locked_out_by_someone_elses_guessing(tree, facilitator):
    own = Client(REMOTE_ADDR="198.51.100.5")
    assert _login(own, "facilitator", "pw").status_code == 302
    assert own.cookies[DEVICE_COOKIE]["httponly"]
    own.post(reverse("wagtailadmin_logout"))
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(4):
        _login(attacker, "facilitator", "guess")
    assert _refused_for_too_many(_login(attacker, "facilitator", "pw"))
    assert _login(own, "facilitator", "pw").status_code == 302


@override_settings(ATELIER_RATE_LIMITS=LIMITS, LANGUAGE_CODE="en")
def test_failed_logins_are_limited_per_address_across_user_names(tree, facilitator):
    sprayer = Client(REMOTE_ADDR="203.0.113.70")
    for n in range(5):
        assert not _refused_for_too_many(_login(sprayer, f"user{n}", "guess"))
    assert _refused_for_too_many(_login(sprayer, "facilitator", "pw"))
    assert _login(Client(REMOTE_ADDR="203.0.113.71"), "facilitator", "pw").status_code == 302
