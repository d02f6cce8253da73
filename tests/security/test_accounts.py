"""Issue 13, items 3, 4 (IPv6 grouping) and 8: no lock-out from elsewhere, and logging out ends
the cookie (a copy taken before "Log out" no longer opens the account)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from app.security import ratelimit
from tests.auth import PASSWORD, fast_hashing, login, me, register  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


@contextmanager
def browser(app, address: str) -> Iterator[TestClient]:
    """A browser at this address (what the server sees as the client's address)."""
    with TestClient(app, base_url="http://127.0.0.1", client=(address, 50000)) as c:
        yield c


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(quiz_app):
    with browser(quiz_app, OWNER) as owner, browser(quiz_app, ATTACKER) as attacker:
        assert register(owner, "ada").status_code == 201
        owner.post("/api/auth/logout")
        # The attacker guesses until the server refuses them (the per-(account, address) limit).
        codes = [login(attacker, "ada", f"guess-number-{i}").status_code for i in range(25)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert login(attacker, "ada").status_code == 429  # even the right one, from there
        # The owner, at another address, logs in at once with the right password.
        assert login(owner, "ada").status_code == 200
        assert me(owner)["username"] == "ada"


def test_one_address_is_still_throttled_across_accounts(quiz_app):
    with browser(quiz_app, ATTACKER) as attacker:
        per_minute = ratelimit.PER_ADDRESS[0].failures
        codes = [
            login(attacker, f"name{i:03d}", "wrong-guess").status_code for i in range(per_minute)
        ]
        assert codes == [401] * per_minute
        assert login(attacker, "another-name").status_code == 429


def test_the_per_account_ceiling_is_far_above_what_one_address_may_send():
    one_address_hour = ratelimit.PER_ACCOUNT_ADDRESS[1]
    ceiling_hour = next(
        lim for lim in ratelimit.PER_ACCOUNT if lim.window == one_address_hour.window
    )
    assert ceiling_hour.failures >= 4 * one_address_hour.failures


def test_ipv6_clients_are_grouped_by_their_64():
    group = ratelimit.client_group
    assert group("2001:db8:1:2:aaaa::1") == group("2001:db8:1:2:ffff:1:2:3") == "2001:db8:1:2::/64"
    assert group("2001:db8:1:3::1") != group("2001:db8:1:2::1")
    assert group("::ffff:192.0.2.1") == group("192.0.2.1") == "192.0.2.1"
    assert group("192.0.2.1") != group("192.0.2.2")


def test_ipv6_addresses_in_one_64_share_the_address_limit(quiz_app):
    per_minute = ratelimit.PER_ADDRESS[0].failures
    for i in range(per_minute):
        with browser(quiz_app, f"2001:db8:1:2::{i + 1:x}") as c:
            assert login(c, f"name{i:03d}", "wrong-guess").status_code == 401
    with browser(quiz_app, "2001:db8:1:2:ffff::9") as c:
        assert login(c, "fresh-name", "wrong-guess").status_code == 429
    with browser(quiz_app, "2001:db8:1:3::1") as c:  # another /64: its own budget
        assert login(c, "fresh-name", "wrong-guess").status_code == 401


@pytest.mark.parametrize("how", ["api", "form"])
def test_a_cookie_copied_before_logout_stops_working(quiz_app, how):
    with browser(quiz_app, OWNER) as c, browser(quiz_app, ATTACKER) as thief:
        register(c, "ada")
        stolen = c.cookies.get("mc_session")
        thief.cookies.set("mc_session", stolen)
        assert me(thief)["username"] == "ada"
        if how == "api":
            assert c.post("/api/auth/logout").status_code == 200
        else:
            token = c.get("/account").text.split('name="csrf_token" value="', 1)[1].split('"')[0]
            c.post("/account/logout", data={"csrf_token": token})
        assert me(c)["guest"] is True
        assert me(thief)["guest"] is True  # the copy no longer opens the account
        assert login(c, "ada").status_code == 200  # the owner logs in again as usual
