"""The entrepreneur portal (/mijn/): dashboard, profile, own business, consents and the
ambassador's area. Thin views: forms parse, `services.portal` reads and writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from weerbaar.accounts.mixins import PolicyRequiredMixin
from weerbaar.accounts.models import User
from weerbaar.accounts.policy import Action
from weerbaar.core import outbox
from weerbaar.network.forms_portal import BusinessForm, ConsentChangeForm, ProfileForm
from weerbaar.network.models import Business, Consent, ConsentPurpose
from weerbaar.network.services import portal

CONSENT_EXPLANATIONS = {
    ConsentPurpose.NETWORK_MEMBERSHIP: gettext_lazy(
        "Your name, contact details and businesses are kept in your municipality's network "
        "registry, so that the municipality, the police and partners can reach you about "
        "safety in your area. The other consents depend on this one."
    ),
    ConsentPurpose.ALERTS: gettext_lazy(
        "Urgent warnings about your area or sector, for example a series of burglaries or a "
        "wave of phishing emails. Sent by the municipality or the police."
    ),
    ConsentPurpose.NEWSLETTER: gettext_lazy(
        "The network's newsletter with news, prevention tips and results, a few times a year."
    ),
    ConsentPurpose.EVENT_INVITATIONS: gettext_lazy(
        "Invitations to meetings, such as an Ondernemers Alert evening or a safety walk "
        "through your area."
    ),
    ConsentPurpose.CONTACT_VISIBLE_TO_AMBASSADOR: gettext_lazy(
        "The ambassador of your area may see your name, email address and phone number to "
        "contact you. Without this consent the ambassador sees only your business name and "
        "sector."
    ),
}


class PortalView(PolicyRequiredMixin):
    permission_action = Action.USE_PORTAL


class DashboardView(PortalView, TemplateView):
    template_name = "network/portal/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["overview"] = portal.portal_overview(self.actor)
        context["consent_count"] = len(ConsentPurpose)
        # The inbox channel is the alerts app's; its rows are core's outbox deliveries.
        assert isinstance(self.request.user, User)
        context["unread_messages"] = outbox.unread_count(self.request.user, "inbox")
        return context


class ProfileView(PortalView, View):
    template_name = "network/portal/profile.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(ProfileForm(instance=self._copy()))

    def post(self, request: HttpRequest) -> HttpResponse:
        # The form edits a copy, so the page header keeps the saved name on bad input.
        form = ProfileForm(request.POST, instance=self._copy())
        if not form.is_valid():
            return self._render(form, status=400)
        values = {name: form.cleaned_data[name] for name in portal.EDITABLE_PROFILE_FIELDS}
        changes = portal.update_profile(self.actor, **values)
        if changes:
            messages.success(request, _("Your details have been saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("portal:dashboard")

    def _copy(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return User.objects.get(pk=user.pk)

    def _render(self, form: ProfileForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form}, status=status)


class BusinessEditView(PortalView, View):
    template_name = "network/portal/business_edit.html"

    def _business(self, pk: int) -> Business:
        # Only businesses I am linked to; any other id answers 404, as if it did not exist.
        if pk not in self.actor.business_ids:
            raise Http404
        return get_object_or_404(Business.objects.select_related("area", "municipality"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        business = self._business(pk)
        return self._render(business, BusinessForm(instance=business))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        business = self._business(pk)
        # The form edits its own copy; the service saves from a locked row.
        form = BusinessForm(request.POST, instance=get_object_or_404(Business, pk=pk))
        if not form.is_valid():
            return self._render(business, form, status=400)
        values = {name: form.cleaned_data[name] for name in portal.EDITABLE_BUSINESS_FIELDS}
        changes = portal.update_own_business(self.actor, business, **values)
        if changes:
            messages.success(
                request, _("The details of %(name)s have been saved.") % {"name": business.name}
            )
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("portal:dashboard")

    def _render(self, business: Business, form: BusinessForm, status: int = 200) -> HttpResponse:
        context = {"business": business, "form": form}
        return render(self.request, self.template_name, context, status=status)


class ConsentsView(PortalView, View):
    template_name = "network/portal/consents.html"
    confirm_template_name = "network/portal/consent_withdraw_confirm.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConsentChangeForm(request.POST)
        if not form.is_valid():
            for message in form.errors.get_json_data().values():
                for error in message:
                    messages.error(request, error["message"])
            return self._render(status=400)
        purpose = ConsentPurpose(form.cleaned_data["purpose"])
        try:
            if form.cleaned_data["action"] == ConsentChangeForm.GIVE:
                portal.give_consent(self.actor, purpose)
                messages.success(
                    request,
                    _("Thank you. Your consent is recorded: %(purpose)s.")
                    % {"purpose": purpose.label},
                )
            else:
                portal.withdraw_consent(self.actor, purpose, confirmed=form.cleaned_data["confirm"])
                messages.success(
                    request,
                    _("Your consent has been withdrawn, effective immediately: %(purpose)s.")
                    % {"purpose": purpose.label},
                )
        except portal.ConfirmationRequired:
            return render(request, self.confirm_template_name, {"purpose": purpose})
        except portal.ConsentError as error:
            messages.error(request, error.message)
            return self._render(status=400)
        return redirect("portal:consents")

    def _render(self, status: int = 200) -> HttpResponse:
        history = list(Consent.objects.filter(person_id=self.request.user.pk))
        rows = []
        for purpose in ConsentPurpose:
            own = [c for c in history if c.purpose == purpose]
            active = next((c for c in own if c.is_active), None)
            withdrawn = [c.withdrawn_at for c in own if c.withdrawn_at is not None]
            rows.append(
                {
                    "purpose": purpose,
                    "explanation": CONSENT_EXPLANATIONS[purpose],
                    "active": active,
                    "last_withdrawn_at": max(withdrawn) if withdrawn else None,
                }
            )
        membership = any(
            r["active"] for r in rows if r["purpose"] == ConsentPurpose.NETWORK_MEMBERSHIP
        )
        context = {"rows": rows, "has_membership": membership}
        return render(self.request, self.template_name, context, status=status)


class AmbassadorAreaView(PolicyRequiredMixin, TemplateView):
    permission_action = Action.VIEW_AMBASSADOR_AREA
    template_name = "network/portal/ambassador_area.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["areas"] = portal.ambassador_areas(self.actor)
        return context
