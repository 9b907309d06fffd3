"""The web version of a newsletter (/nieuwsbrief/<public id>/): what the email says, for
anyone with the link, once the newsletter has gone out. Nothing about the reader is
recorded."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from weerbaar.newsletters import queries, rendering


class WebVersionView(View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, public_id: UUID) -> HttpResponse:
        newsletter = queries.published(str(public_id))
        if newsletter is None:
            raise Http404
        context = {
            "newsletter": newsletter,
            "blocks": rendering.rendered_blocks(newsletter),
            "municipality": newsletter.municipality,
        }
        return render(request, "newsletters/public/newsletter.html", context)
