"""Platform pages: home, back-office start page, audit log, health and error pages."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.generic import ListView, TemplateView

from weerbaar.accounts.mixins import PolicyRequiredMixin
from weerbaar.accounts.policy import Action, actor_for, can
from weerbaar.core.models import AuditEntry
from weerbaar.network.queries import active_municipalities


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["municipalities"] = active_municipalities()
        context["actor"] = actor_for(self.request.user)
        return context


class BackOfficeHomeView(PolicyRequiredMixin, TemplateView):
    permission_action = Action.ACCESS_BACK_OFFICE
    template_name = "core/back_office.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["actor"] = self.actor
        context["Action"] = Action
        # The registry and report pages this actor may open (network/staff/_back_office_links).
        context["network_links"] = {
            "municipalities": can(self.actor, Action.VIEW_MUNICIPALITY),
            "areas": can(self.actor, Action.VIEW_AREA),
            "businesses": can(self.actor, Action.VIEW_BUSINESS),
            "people": can(self.actor, Action.VIEW_PERSON),
            "organisations": can(self.actor, Action.VIEW_ORGANISATION),
            "import": can(self.actor, Action.IMPORT_BUSINESSES),
            "reports": can(self.actor, Action.VIEW_REPORT),
            "report_configuration": can(self.actor, Action.MANAGE_REPORT_CONFIGURATION),
            "report_categories": can(self.actor, Action.MANAGE_REPORT_CATEGORIES),
            "alerts": can(self.actor, Action.VIEW_ALERTS),
            "newsletters": can(self.actor, Action.VIEW_NEWSLETTERS),
        }
        return context


class AuditLogView(PolicyRequiredMixin, ListView[AuditEntry]):
    permission_action = Action.VIEW_AUDIT_LOG
    template_name = "core/audit_log.html"
    paginate_by = 50
    queryset = AuditEntry.objects.all()


def health(request: HttpRequest) -> JsonResponse:
    """Liveness + database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "core/errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "core/errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "core/errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors' database work: the database may be the problem.
    return _error(request, "core/errors/500.html", 500)
