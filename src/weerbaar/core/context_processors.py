from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def platform(request: HttpRequest) -> dict[str, Any]:
    """Platform name, theme hook and (lazily) the actor for the navigation."""
    from weerbaar.accounts.policy import actor_for

    user = getattr(request, "user", None)
    actor = SimpleLazyObject(lambda: actor_for(user)) if user is not None else None
    return {
        "platform_name": settings.PLATFORM_NAME,
        "theme_stylesheet": settings.THEME_STYLESHEET,
        "theme_class": settings.THEME_CLASS,
        "nav_actor": actor,
        "nav_roles": SimpleLazyObject(lambda: {str(r) for r in actor.roles}) if actor else set(),
    }
