"""Every write to the network registry goes through a function in this package."""

from weerbaar.network.services import imports as imports  # CSV import: check, confirm, discard
