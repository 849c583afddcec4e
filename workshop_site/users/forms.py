"""The admin login form with failed attempts limited (Django does not throttle logins).

Failures are counted per user name and per client address (`login_failed_username`,
`login_failed_ip` in settings.ATELIER_RATE_LIMITS). A limit lasts one window from the first
failure; attempts refused while it holds are not counted, so nobody is locked out for good.
A browser that has logged in as that user before carries a signed device cookie and is not
held by the per-user limit: an attacker guessing a facilitator's password from elsewhere
cannot lock the facilitator out of their own browser (OWASP's "device cookies").
"""

import hashlib
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm

from workshop_site.core.client_ip import request_client_ip
from workshop_site.core.ratelimit import named

DEVICE_COOKIE = "atelier_device"
DEVICE_COOKIE_SALT = "atelier.login-device"
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def username_key(username: str) -> str:
    """A cache-safe key for any typed user name (spaces, any length)."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


def known_device(request, key: str) -> bool:
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT,
                                      max_age=DEVICE_COOKIE_MAX_AGE) if request is not None else None
    return value == key


def remember_device(request, response) -> None:
    """Called by the rate-limit middleware after a successful login through this form."""
    key = getattr(request, "_atelier_login_device", None)
    if key:
        response.set_signed_cookie(
            DEVICE_COOKIE, key, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE, httponly=True,
            secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
        )


class LimitedLoginForm(LoginForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        user_key = username_key(username)
        address = request_client_ip(self.request) if self.request is not None else None
        per_user, per_address = named("login_failed_username"), named("login_failed_ip")
        user_held = per_user.blocked(user_key) and not known_device(self.request, user_key)
        if user_held or per_address.blocked(address):
            minutes = math.ceil(max(per_user.window_seconds, per_address.window_seconds) / 60)
            raise ValidationError(
                ngettext(
                    "Too many failed logins for this account or from this address. Wait %(minutes)d "
                    "minute and try again, or ask a facilitator to reset your password.",
                    "Too many failed logins for this account or from this address. Wait %(minutes)d "
                    "minutes and try again, or ask a facilitator to reset your password.",
                    minutes,
                ) % {"minutes": minutes},
                code="too_many_attempts",
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                per_user.hit(user_key)
                per_address.hit(address)
            raise
        if self.request is not None:
            self.request._atelier_login_device = user_key
        return cleaned
