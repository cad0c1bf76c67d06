"""Throttles that protect rather than lock out (issue 13 item 6). Flask-Limiter, counting in the same Redis as
the queues (moving windows), limits what one address, one link, one feed or one token may ask; sign-in adds
waits that grow with each failure from the same address, so a stranger's wrong passwords slow the stranger,
never lock the person out. Every figure is here, so the README and the tests quote one place.

Redis down: requests are let through (logged), as the queue's outage must not stop a DSL signing in."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.services.api_tokens import is_live

# Sign-in: what one address may try, whatever the accounts (stops spraying many accounts from one place).
SIGN_IN_PER_ADDRESS_PER_MINUTE = 20
SIGN_IN_PER_ADDRESS_PER_HOUR = 200
# Sign-in: failures for one account from one address before waits begin, the first wait, and the cap; each
# further failure doubles the wait. Counted over the last hour; a successful sign-in clears them.
SIGN_IN_FREE_FAILURES = 5
SIGN_IN_FIRST_WAIT = timedelta(seconds=15)
SIGN_IN_LONGEST_WAIT = timedelta(minutes=15)
# Sign-in: failures for one account from every address together. Past this many the account slows down for
# everyone, by one second doubling, but never past half a minute: a distributed guesser gets few tries an hour
# and the person, though slowed, is never locked out.
SIGN_IN_ACCOUNT_FREE_FAILURES = 20
SIGN_IN_ACCOUNT_LONGEST_WAIT = timedelta(seconds=30)
SIGN_IN_FAILURE_WINDOW = timedelta(hours=1)

# Providers' attendance links: per link and per address (a provider's office may share one address).
PROVIDER_LINK_PER_LINK_PER_MINUTE = 30
PROVIDER_LINK_PER_ADDRESS_PER_MINUTE = 30
# Calendar feeds: calendar programs poll every 15 minutes to a few hours.
CALENDAR_FEED_PER_FEED_PER_HOUR = 30
CALENDAR_FEED_PER_ADDRESS_PER_MINUTE = 30
# Password reset requests from one address, and uses of invitation/reset links (guessing a token).
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 10
ACCOUNT_LINK_PER_ADDRESS_PER_MINUTE = 20
# Two-factor codes typed from one address (each pending sign-in also allows only 5 wrong codes). Each wrong code
# or refused passkey is also a failed sign-in of the account, so the waits above slow someone who has the password
# but not the second factor; only a complete sign-in clears them (app/services/sign_in.py).
TWO_FACTOR_PER_ADDRESS_PER_MINUTE = 20
# Passkey answers (and requests for a passkey challenge) from one address at the second step; each pending
# sign-in's refused passkeys count with its wrong codes towards the same 5.
PASSKEY_PER_ADDRESS_PER_MINUTE = 20
# API: requests with a bad token from one address (guessing), and requests per good token (a runaway script).
API_BAD_TOKENS_PER_ADDRESS_PER_MINUTE = 20
API_PER_TOKEN_PER_MINUTE = 300

limiter = Limiter(get_remote_address, strategy="moving-window", swallow_errors=True, headers_enabled=True,
                  key_prefix="aphub-throttle")


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2})
    limiter.init_app(app)


def sign_in_wait(failures_here: int, failures_everywhere: int) -> timedelta:
    """How long after the latest failure the next sign-in to an account may be tried: nothing for the first
    few failures, then doubling, capped, for the address that failed; a little, briefly, for everyone when
    the account is being guessed from many addresses at once."""
    here = timedelta(0)
    if failures_here >= SIGN_IN_FREE_FAILURES:
        doublings = min(failures_here - SIGN_IN_FREE_FAILURES, 20)
        here = min(SIGN_IN_FIRST_WAIT * (2 ** doublings), SIGN_IN_LONGEST_WAIT)
    everywhere = timedelta(0)
    if failures_everywhere >= SIGN_IN_ACCOUNT_FREE_FAILURES:
        doublings = min(failures_everywhere - SIGN_IN_ACCOUNT_FREE_FAILURES, 20)
        everywhere = min(timedelta(seconds=2 ** doublings), SIGN_IN_ACCOUNT_LONGEST_WAIT)
    return max(here, everywhere)


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def bearer_token_key() -> str:
    """The limit key of an API request's token (hashed: the raw token never reaches Redis)."""
    header = request.headers.get("Authorization", "")
    return "token:" + _hashed(header[7:].strip()) if header.lower().startswith("bearer ") else "no-token"


def path_token_key() -> str:
    """The limit key of a link or feed whose secret is in the URL (hashed)."""
    return "link:" + _hashed(str((request.view_args or {}).get("token", "")))


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _no_bearer() -> bool:
    return not _bearer()


def _live_bearer() -> bool:
    return bool(_bearer()) and is_live(_bearer())


_api_limited: set[int] = set()


def limit_api(bp) -> None:
    """The API blueprint's limits: a good token's own limit, and an address's limit on failed tokens (once per
    blueprint object: a second app in the same process must not count every request twice)."""
    if id(bp) in _api_limited:
        return
    _api_limited.add(id(bp))
    for decorate in [
        limiter.limit(f"{API_PER_TOKEN_PER_MINUTE} per minute", key_func=bearer_token_key, exempt_when=_no_bearer,
                      scope="api-token",
                      error_message="Too many requests with this token: wait a minute and try again."),
        # A live token is never held back by guesses from the same address (a school shares one address).
        limiter.limit(f"{API_BAD_TOKENS_PER_ADDRESS_PER_MINUTE} per minute", scope="api-bad-token",
                      exempt_when=_live_bearer, deduct_when=lambda response: response.status_code == 401,
                      error_message="Too many requests with a token that is not valid: wait a minute."),
    ]:
        decorate(bp)
