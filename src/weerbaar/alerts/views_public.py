"""The unsubscribe link from an email (/afmelden/<token>/), for people who are not logged in.

GET shows what the link does and asks to confirm with a button (link checkers of mail
programs open links; a GET must change nothing). POST unsubscribes: the button, or a mail
program's one-click request (RFC 8058: `List-Unsubscribe=One-Click` in the body), which
carries no CSRF token, so the signed token in the URL is the only credential.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from weerbaar.accounts.models import User
from weerbaar.alerts.services import preferences
from weerbaar.alerts.unsubscribe import UnsubscribeRequest, read_token


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    template_name = "alerts/public/unsubscribe.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        wanted = read_token(token)
        if wanted is None:
            return self._invalid(request)
        return self._render(request, wanted, outcome=None)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        wanted = read_token(token)
        if wanted is None:
            return self._invalid(request)
        if request.POST.get("scope") == "everything":
            outcome = preferences.opt_out_of_everything(wanted.person_id)
            return self._render(request, wanted, outcome=outcome, everything=True)
        outcome = preferences.unsubscribe(wanted)
        return self._render(request, wanted, outcome=outcome)

    def _render(
        self,
        request: HttpRequest,
        wanted: UnsubscribeRequest,
        *,
        outcome: preferences.UnsubscribeOutcome | None,
        everything: bool = False,
    ) -> HttpResponse:
        person = User.objects.filter(pk=wanted.person_id).only("email").first()
        context = {
            "kind": wanted.kind,
            "outcome": outcome,
            "everything": everything,
            "masked_email": _masked(person.email) if person else "",
        }
        response = render(request, self.template_name, context)
        response["Cache-Control"] = "no-store"
        return response

    def _invalid(self, request: HttpRequest) -> HttpResponse:
        response = render(request, "alerts/public/unsubscribe_invalid.html", status=400)
        response["Cache-Control"] = "no-store"
        return response


def _masked(email: str) -> str:
    """b…@example.nl: enough to recognise one's own address, not to harvest it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else ""
