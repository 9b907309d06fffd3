"""Public insights: the transparency page of a municipality. Thin: look up, query, render."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from weerbaar.insights.queries import MIN_FOR_RATES, transparency
from weerbaar.network.models import Municipality


class TransparencyView(TemplateView):
    """Reports in figures for one municipality: public, aggregated, small counts protected."""

    template_name = "insights/transparency.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        municipality = get_object_or_404(Municipality, slug=self.kwargs["slug"], is_active=True)
        context.update(
            municipality=municipality,
            figures=transparency(municipality),
            min_for_rates=MIN_FOR_RATES,
        )
        return context
