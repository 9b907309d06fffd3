"""The one write of an OIDC login: find or create the user, remember the identity, link the
business (eHerkenning), audit it — all in one transaction, after every HTTP call is done."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import ExternalIdentity, User
from weerbaar.accounts.policy import forget_actor
from weerbaar.contrib.oidc.claims import OidcIdentity
from weerbaar.contrib.oidc.errors import OidcAccountBlocked, OidcClaimsInvalid, OidcLoginError
from weerbaar.contrib.oidc.providers import Provider
from weerbaar.core import audit
from weerbaar.network.models import Business, BusinessPerson, BusinessRole


@dataclass(frozen=True)
class OidcLoginResult:
    user: User
    user_created: bool
    linked_businesses: list[Business] = field(default_factory=list)
    # eHerkenning login for a business that is not (yet) in the network registry.
    business_not_in_network: bool = False


class OidcLoginConflict(OidcLoginError):
    status = 409
    message = _("Logging in took place twice at the same moment. Start the login again.")


def complete_oidc_login(provider: Provider, identity: OidcIdentity) -> OidcLoginResult:
    """Map a verified identity to a user and return who to log in.

    Called by the OIDC callback only, with an identity whose token was verified. Matching:
    the ExternalIdentity (provider, subject) first; otherwise the account with the same
    email address, unless the provider says the address is not verified; otherwise a new
    account. For the business provider the user is linked to the active businesses that
    match the KvK number (and vestigingsnummer, when sent); no match still logs in.

    Guarantees: everything happens in one transaction with an audit entry; an inactive
    account or unusable claims raise OidcLoginError and leave nothing behind; two
    simultaneous first logins of the same identity cannot create two accounts.
    """
    try:
        with transaction.atomic():
            return _complete(provider, identity)
    except IntegrityError:
        # A parallel login created the account or identity first; now it can be found.
        try:
            with transaction.atomic():
                return _complete(provider, identity)
        except IntegrityError:
            raise OidcLoginConflict("identity created concurrently") from None


def _complete(provider: Provider, identity: OidcIdentity) -> OidcLoginResult:
    user, user_created, identity_created = _user_for(provider, identity)
    if not user.is_active:
        raise OidcAccountBlocked("inactive account")
    if not user.full_name and identity.full_name:
        user.full_name = identity.full_name
        user.save(update_fields=["full_name"])

    linked: list[Business] = []
    not_in_network = False
    if provider.is_business_login:
        businesses = _matching_businesses(identity)
        not_in_network = not businesses
        for business in businesses:
            link_person_to_business(user, business, source=provider.slug)
            linked.append(business)

    audit.record(
        user,
        "accounts.oidc_login",
        user,
        {
            "provider": provider.slug,
            "user_created": user_created,
            "identity_created": identity_created,
            "businesses": [business.establishment_number for business in linked],
        },
    )
    return OidcLoginResult(
        user=user,
        user_created=user_created,
        linked_businesses=linked,
        business_not_in_network=not_in_network,
    )


def _user_for(provider: Provider, identity: OidcIdentity) -> tuple[User, bool, bool]:
    existing = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider.slug, subject=identity.subject)
        .first()
    )
    if existing is not None:
        return existing.user, False, False
    if not identity.email:
        raise OidcClaimsInvalid(
            "no email claim for a new identity",
            message=_(
                "The login service did not share your email address, and we need it to "
                "create or find your account. Allow sharing your email address at the login "
                "service, or log in with a link by email."
            ),
        )
    if identity.email_verified is False:
        raise OidcClaimsInvalid(
            "email not verified by the provider",
            message=_(
                "The login service has not verified your email address, so we cannot link "
                "it to an account. Verify it at the login service, or log in with a link by "
                "email."
            ),
        )
    user = User.objects.filter(email__iexact=identity.email).first()
    user_created = user is None
    if user is None:
        user = User.objects.create_user(identity.email, full_name=identity.full_name)
    ExternalIdentity.objects.create(user=user, provider=provider.slug, subject=identity.subject)
    return user, user_created, True


def _matching_businesses(identity: OidcIdentity) -> list[Business]:
    businesses = Business.objects.filter(kvk_number=identity.kvk_number, is_active=True)
    if identity.establishment_number:
        # Authorised for one establishment (vestiging).
        businesses = businesses.filter(establishment_number=identity.establishment_number)
    # Without a vestigingsnummer the authorisation covers the whole KvK registration.
    return list(businesses.order_by("pk"))


def link_person_to_business(user: User, business: Business, *, source: str) -> BusinessPerson:
    """Link `user` to `business` as an employee, unless already linked (then unchanged).

    Called inside complete_oidc_login's transaction, for a login the provider vouched for.
    An eHerkenning authorisation says the person acts for the business, not which role
    they have there, so the link starts as "employee"; staff can change it.
    """
    link, created = BusinessPerson.objects.get_or_create(
        person=user, business=business, defaults={"role": BusinessRole.EMPLOYEE}
    )
    if created:
        audit.record(
            user,
            "network.business_person.link",
            link,
            {"business": business.name, "role": link.role, "source": source},
        )
        forget_actor(user)
    return link
