"""Authentication backend for one-time login links (entrepreneurs).

The link is consumed by `services.consume_magic_link()`, which tells the view *why* a link
cannot be used (expired, used, unknown). This backend makes the same check available to
`django.contrib.auth.authenticate(request, magic_link_token=...)` and, above all, lets the
session remember how the user logged in (`get_user` for later requests).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from weerbaar.accounts.models import User

MAGIC_LINK_BACKEND = "weerbaar.accounts.backends.MagicLinkBackend"


class MagicLinkBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        magic_link_token: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not magic_link_token:
            return None
        from weerbaar.accounts import services

        try:
            return services.consume_magic_link(magic_link_token).user
        except services.MagicLinkError:
            return None

    def get_user(self, user_id: Any) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
