"""`manage.py generate_vapid_keys`: a new VAPID key pair, as environment variables.

Set both in the environment of the web processes and the workers. A new pair makes every
existing subscription useless (browsers subscribed with the old public key); the page script
notices and lets people turn notifications on again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from weerbaar.contrib.webpush.keys import generate_vapid_key_pair


class Command(BaseCommand):
    help = "Print a new VAPID key pair for web push as WEBPUSH_VAPID_* environment variables."

    def handle(self, *args: Any, **options: Any) -> None:
        pair = generate_vapid_key_pair()
        self.stdout.write(f"WEBPUSH_VAPID_PUBLIC_KEY={pair.public_key}")
        self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={pair.private_key}")
