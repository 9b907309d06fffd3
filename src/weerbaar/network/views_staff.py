"""Back office of the network registry: the shared base of the staff pages.

The pages themselves live in `views_staff_places.py` (municipalities, areas, ambassadors,
area contacts), `views_staff_businesses.py` (businesses and their people) and
`views_staff_organisations.py`. Every page declares the action it needs; objects are looked
up in the queryset the policy scopes to the actor, so an object outside the actor's scope
answers 404 and a role without the action 403. Every write calls
`network.services.registry`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from weerbaar.accounts.mixins import PolicyRequiredMixin
from weerbaar.accounts.policy import Action, can, scope_queryset
from weerbaar.network.forms_staff import StaffForm

PAGE_SIZE = 25

Crumbs = list[tuple[str, str]]


class StaffView(PolicyRequiredMixin, View):
    """A back-office page guarded by `permission_action`."""

    template_name = ""

    def scoped[M: Model](self, queryset: QuerySet[M], action: Action | None = None) -> QuerySet[M]:
        return scope_queryset(self.actor, action or self.permission_action, queryset)

    def can(self, action: Action, obj: Model | None = None) -> bool:
        return can(self.actor, action, obj)

    def breadcrumbs(self) -> Crumbs:
        """(url, label) pairs after "Back office"; the current page is not included."""
        return []

    def render_page(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.setdefault("breadcrumbs", self.breadcrumbs())
        return render(self.request, self.template_name, context, status=status)

    def paginate(self, queryset: QuerySet[Any]) -> Page:
        paginator = Paginator(queryset, PAGE_SIZE)
        return paginator.get_page(self.request.GET.get("page"))

    def query_string(self) -> str:
        """The current filters, for the pagination links."""
        params = self.request.GET.copy()
        params.pop("page", None)
        return params.urlencode()


class StaffFormView(StaffView, ABC):
    """GET shows the form; POST parses it and calls the service. Invalid input re-renders
    the form with its errors and status 400; nothing is written then."""

    template_name = "network/staff/form.html"
    title: Any = ""
    submit_label: Any = _("Save")
    success_message: Any = _("The changes were saved.")

    def load(self) -> None:
        """Look up the objects the page is about (404 when out of scope)."""

    @abstractmethod
    def get_form(self, data: Any = None) -> StaffForm:
        """The form, bound to `data` when posted."""

    @abstractmethod
    def perform(self, form: StaffForm) -> Any:
        """Call the service with the valid form's values; return the changed object."""

    @abstractmethod
    def success_url(self, obj: Any) -> str:
        """Where to go after a successful save."""

    def cancel_url(self) -> str:
        crumbs = self.breadcrumbs()
        return crumbs[-1][0] if crumbs else ""

    def get_title(self) -> str:
        return str(self.title)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.load()
        return self.render_form(self.get_form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.load()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                obj = self.perform(form)
            except ValidationError as error:
                form.show_errors(error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url(obj))
        return self.render_form(form, status=400)

    def render_form(self, form: StaffForm, status: int = 200) -> HttpResponse:
        return self.render_page(
            {
                "form": form,
                "title": self.get_title(),
                "submit_label": self.submit_label,
                "cancel_url": self.cancel_url(),
            },
            status=status,
        )


class StaffActionView(StaffView, ABC):
    """A state change by a button (POST only). When the service refuses, the reason is
    shown with status 400 and a way back; nothing is written."""

    http_method_names = ["post"]
    template_name = "network/staff/action_error.html"
    success_message: Any = ""

    def load(self) -> None:
        """Look up the objects the action is about (404 when out of scope)."""

    @abstractmethod
    def perform(self) -> None:
        """Call the service."""

    @abstractmethod
    def back_url(self) -> str:
        """The page the button was on."""

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.load()
        try:
            self.perform()
        except ValidationError as error:
            return self.render_page(
                {"errors": error.messages, "back_url": self.back_url()}, status=400
            )
        if self.success_message:
            messages.success(request, str(self.success_message))
        return redirect(self.back_url())
