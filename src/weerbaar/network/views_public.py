"""Public pages per municipality."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from weerbaar.network.models import Municipality
from weerbaar.network.queries import areas_with_counts


class MunicipalityLandingView(TemplateView):
    template_name = "network/public/municipality.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        municipality = get_object_or_404(Municipality, slug=self.kwargs["slug"], is_active=True)
        context["municipality"] = municipality
        context["areas"] = areas_with_counts(municipality.areas.all())
        return context
