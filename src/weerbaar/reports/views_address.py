"""Address suggestions for the report form (PDOK Locatieserver), as an htmx fragment.

Public and without state: the query is passed on to the Locatieserver and answered, never
stored or logged, and the client address only counts towards the rate limit (hashed inside
`core.ratelimit`). Every failure is an answer the form can live with: the person types the
address in the free-text field instead.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from weerbaar.contrib.pdok.client import (
    MAX_QUERY_LENGTH,
    MIN_QUERY_LENGTH,
    AddressSuggestion,
    PdokError,
    get_client,
)
from weerbaar.core import ratelimit
from weerbaar.reports.views_public import client_key

SEARCHES_PER_MINUTE = 60


class AddressSearchView(View):
    """GET /meldingen/adres-zoeken/?q=…: a list of address buttons for the report form."""

    template_name = "reports/_address_suggestions.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        query = " ".join(request.GET.get("q", "").split())
        if len(query) > MAX_QUERY_LENGTH:
            return self.answer(
                request,
                message=_("Type at most %(count)d characters to search for an address.")
                % {"count": MAX_QUERY_LENGTH},
                status=400,
            )
        if len(query) < MIN_QUERY_LENGTH:
            return self.answer(request)
        if not ratelimit.hit(
            "address-search", client_key(request), limit=SEARCHES_PER_MINUTE, window_seconds=60
        ):
            return self.answer(
                request,
                message=_("Too many searches. Wait a minute, or type the address below."),
                status=429,
            )
        try:
            suggestions = get_client().suggest(query)
        except PdokError as exc:
            # 200 so htmx shows the message in place of the old suggestions.
            return self.answer(request, message=exc.message)
        if not suggestions:
            return self.answer(
                request, message=_("No address found. Check the spelling or type it below.")
            )
        return self.answer(request, suggestions=suggestions)

    def answer(
        self,
        request: HttpRequest,
        *,
        suggestions: list[AddressSuggestion] | None = None,
        message: str = "",
        status: int = 200,
    ) -> HttpResponse:
        response = render(
            request,
            self.template_name,
            {"suggestions": suggestions or [], "message": message},
            status=status,
        )
        # What someone searched may be where they are; keep it out of shared caches.
        add_never_cache_headers(response)
        return response
