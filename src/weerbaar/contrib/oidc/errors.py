"""Why an OIDC login failed: each reason carries the message the visitor sees and a status.

`detail` is for the server log only; it never contains tokens or personal data.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class OidcLoginError(Exception):
    status: int = 400
    message: str | Promise = _("Logging in did not work. Start again from the login page.")

    def __init__(self, detail: str = "", *, message: str | Promise | None = None) -> None:
        super().__init__(detail or type(self).__name__)
        self.detail = detail
        if message is not None:
            self.message = message


class OidcStateError(OidcLoginError):
    """The callback does not belong to a login started in this browser (or was replayed)."""

    status = 400
    message = _(
        "This login attempt is not valid or was already completed. Start the login again "
        "from the login page."
    )


class OidcProviderRefused(OidcLoginError):
    """The provider answered with an error, or refused the authorization code."""

    status = 401
    message = _(
        "The login service did not log you in. Perhaps you cancelled, or the login took "
        "too long. Try again, or choose another way to log in."
    )


class OidcTokenInvalid(OidcLoginError):
    """The ID token failed verification: signature, algorithm, audience, expiry or nonce."""

    status = 401
    message = _(
        "We could not verify the answer from the login service, so you are not logged in. "
        "Start the login again. If this keeps happening, contact the municipality."
    )


class OidcClaimsInvalid(OidcLoginError):
    """The verified claims cannot be used (missing email, malformed KvK number…)."""

    status = 401


class OidcAccountBlocked(OidcLoginError):
    status = 403
    message = _(
        "Your account has been blocked, so you cannot log in. Contact the municipality if you "
        "think this is a mistake."
    )


class OidcProviderUnavailable(OidcLoginError):
    """The provider could not be reached, timed out, or sent something unreadable."""

    status = 502
    message = _(
        "The login service cannot be reached right now, so you are not logged in. Try again "
        "in a few minutes, or choose another way to log in."
    )
