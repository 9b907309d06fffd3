"""View guards built on the permission policy. Views declare an action; these enforce it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from weerbaar.accounts.policy import Action, Actor, actor_for, require, second_factor_satisfied


class PolicyRequiredMixin:
    """Require login and `permission_action`; staff must also have passed the second factor."""

    permission_action: Action
    request: HttpRequest

    @property
    def actor(self) -> Actor:
        return actor_for(self.request.user)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = actor_for(request.user)
        if actor.is_staff_member and not second_factor_satisfied(request.user):
            return redirect(f"{_second_factor_url()}?next={request.get_full_path()}")
        require(actor, self.permission_action)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _second_factor_url() -> str:
    from django.urls import reverse

    return reverse("accounts:second_factor")
