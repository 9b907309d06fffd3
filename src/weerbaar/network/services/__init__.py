"""Every write to the network registry goes through a function in this package."""

from weerbaar.network.services import imports as imports  # CSV import: check, confirm, discard
from weerbaar.network.services import portal as portal  # consents, own profile and business
from weerbaar.network.services import registry as registry  # staff writes to the registry
