"""Every write to the network registry goes through a function in this package.

Callers may import a submodule (``from weerbaar.network.services import registry``) or the
registry's functions directly from here; both name the same objects.
"""

from weerbaar.network.services import imports as imports  # CSV import: check, confirm, discard
from weerbaar.network.services import portal as portal  # consents, own profile and business
from weerbaar.network.services import registry as registry  # staff writes to the registry
from weerbaar.network.services.registry import (
    appoint_ambassador,
    create_area,
    create_area_contact,
    create_business,
    create_municipality,
    create_organisation,
    deactivate_business,
    delete_area_contact,
    end_ambassadorship,
    link_person_to_business,
    unlink_person_from_business,
    update_area,
    update_area_contact,
    update_business,
    update_municipality,
    update_organisation,
)

__all__ = [
    "appoint_ambassador",
    "create_area",
    "create_area_contact",
    "create_business",
    "create_municipality",
    "create_organisation",
    "deactivate_business",
    "delete_area_contact",
    "end_ambassadorship",
    "imports",
    "link_person_to_business",
    "portal",
    "registry",
    "unlink_person_from_business",
    "update_area",
    "update_area_contact",
    "update_business",
    "update_municipality",
    "update_organisation",
]
