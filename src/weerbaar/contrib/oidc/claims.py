"""Turn verified OIDC claims into an `OidcIdentity`, checking every value we use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from weerbaar.contrib.oidc.errors import OidcClaimsInvalid
from weerbaar.contrib.oidc.providers import Provider
from weerbaar.network.validators import ESTABLISHMENT_NUMBER_RE, KVK_NUMBER_RE

SUBJECT_MAX_LENGTH = 255


@dataclass(frozen=True)
class OidcIdentity:
    """Who the provider says logged in. Empty strings for claims that were not sent."""

    provider: str
    subject: str
    email: str
    # None when the provider does not say; False means the provider says "not verified".
    email_verified: bool | None
    full_name: str
    kvk_number: str = ""
    establishment_number: str = ""


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(claims: dict[str, Any], name: str, digits: int) -> str:
    """A registry number claim as text; JSON numbers are padded back to `digits` digits."""
    value = claims.get(name)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int) and value >= 0:
        return f"{value:0{digits}d}"
    return value.strip() if isinstance(value, str) else "invalid"


def _email_verified(claims: dict[str, Any]) -> bool | None:
    value = claims.get("email_verified")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def parse_identity(provider: Provider, claims: dict[str, Any]) -> OidcIdentity:
    """Check the claims and return the identity, or raise OidcClaimsInvalid with a message.

    Every provider must send a subject (`sub`). A sent email address must be valid. The
    business provider (eHerkenning) must send a KvK number of 8 digits and may send a
    vestigingsnummer of 12 digits; the claim names come from the provider's settings.
    """
    subject = _text(claims, "sub")
    if not subject or len(subject) > SUBJECT_MAX_LENGTH:
        raise OidcClaimsInvalid(
            "missing or overlong sub claim",
            message=_(
                "The login service did not say who logged in, so you are not logged in. "
                "Try again later or choose another way to log in."
            ),
        )
    email = _text(claims, "email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise OidcClaimsInvalid(
                "malformed email claim",
                message=_(
                    "The login service sent an email address we cannot use, so you are not "
                    "logged in. Check the email address of your account at the login service."
                ),
            ) from None
    name = _text(claims, "name") or " ".join(
        part for part in (_text(claims, "given_name"), _text(claims, "family_name")) if part
    )
    kvk_number = establishment_number = ""
    if provider.is_business_login:
        kvk_number = _number(claims, provider.kvk_claim, 8)
        establishment_number = _number(claims, provider.establishment_claim, 12)
        if not KVK_NUMBER_RE.match(kvk_number) or (
            establishment_number and not ESTABLISHMENT_NUMBER_RE.match(establishment_number)
        ):
            raise OidcClaimsInvalid(
                "malformed or missing KvK number / vestigingsnummer claim",
                message=_(
                    "The login service did not send a valid KvK number (8 digits) and "
                    "vestigingsnummer (12 digits), so you are not logged in. Contact the "
                    "municipality."
                ),
            )
    return OidcIdentity(
        provider=provider.slug,
        subject=subject,
        email=email,
        email_verified=_email_verified(claims),
        full_name=name[:200],
        kvk_number=kvk_number,
        establishment_number=establishment_number,
    )
