"""The entrepreneur's side of alerts in the portal (/mijn/berichten/, /mijn/waarschuwingen/):
the inbox, the page of an alert with its updates, and what they receive how.
Thin views: forms parse, `alerts.services` write, `alerts.queries` read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from weerbaar.accounts.mixins import PolicyRequiredMixin
from weerbaar.accounts.models import Role, User
from weerbaar.accounts.policy import Action
from weerbaar.alerts import queries
from weerbaar.alerts.forms import ChannelsForm, QuietHoursForm
from weerbaar.alerts.forms_staff import AlertForm
from weerbaar.alerts.models import AlertStatus, MessageKind, RecipientSettings
from weerbaar.alerts.preferences import channels_for
from weerbaar.alerts.services import alerts as alert_services
from weerbaar.alerts.services import inbox, preferences
from weerbaar.contrib.sms.phone import normalise_mobile
from weerbaar.core.outbox import suppression_of
from weerbaar.core.personal_slots import fill_slots
from weerbaar.network.models import Area, Municipality
from weerbaar.network.services.portal import active_consents
from weerbaar.network.views_portal import PortalView

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class InboxView(PortalView, View):
    template_name = "alerts/portal/inbox.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(queries.inbox_of(_user(request)), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, self.template_name, {"page_obj": page})

    def post(self, request: HttpRequest) -> HttpResponse:
        inbox.mark_all_read(_user(request))
        messages.success(request, _("All messages are marked as read."))
        return redirect("alerts_portal:inbox")


class InboxMessageView(PortalView, View):
    template_name = "alerts/portal/message.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = get_object_or_404(queries.inbox_of(_user(request)), pk=pk)
        inbox.mark_read(_user(request), delivery)
        context = {"delivery": delivery, "text": fill_slots(delivery, delivery.message.body_text)}
        return render(request, self.template_name, context)


class AlertDetailView(PortalView, View):
    template_name = "alerts/portal/alert.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        alert = get_object_or_404(
            queries.alerts_received_by(_user(request)).select_related("municipality"), pk=pk
        )
        if alert.status not in (AlertStatus.PUBLISHED, AlertStatus.WITHDRAWN):
            raise Http404
        context = {"alert": alert, "updates": list(alert.updates.all())}
        return render(request, self.template_name, context)


class AmbassadorAlertView(PolicyRequiredMixin, View):
    """An ambassador warns their own area; the alert waits for approval by staff."""

    permission_action = Action.VIEW_AMBASSADOR_AREA
    template_name = "alerts/portal/ambassador_alert.html"

    def form(self, data: Any = None) -> AlertForm:
        scope = self.actor.scopes.get(Role.AMBASSADOR)
        area_ids = scope.area_ids if scope else frozenset()
        return AlertForm(
            data,
            areas=Area.objects.filter(pk__in=area_ids),
            municipalities=Municipality.objects.none(),
            allow_whole_network=False,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self.form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                alert_services.compose_and_send(self.actor, form.draft())
            except ValidationError as error:
                form.show_errors(error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your alert waits for approval by the municipality or police."),
                )
                return redirect("portal:dashboard")
        return render(request, self.template_name, {"form": form}, status=400)


class PreferencesView(PortalView, View):
    """Per kind of message the channels, quiet hours, and the global opt-out."""

    template_name = "alerts/portal/preferences.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest) -> HttpResponse:
        section = request.POST.get("section")
        if section == "channels":
            return self._save_channels(request)
        if section == "quiet_hours":
            return self._save_quiet_hours(request)
        if section == "opt_back_in":
            preferences.opt_back_in(self.actor)
            messages.success(request, _("You receive messages again, as chosen below."))
            return redirect("alerts_portal:preferences")
        if section == "email_again":
            if preferences.email_again(self.actor):
                messages.success(request, _("We will email you again at this address."))
            return redirect("alerts_portal:preferences")
        if section == "opt_out":
            preferences.opt_out_of_everything(_user(request).pk)
            messages.success(
                request, _("You no longer receive any alerts, newsletters or invitations.")
            )
            return redirect("alerts_portal:preferences")
        messages.error(request, _("Something went wrong with the form. Try again."))
        return self._render(status=400)

    def _save_channels(self, request: HttpRequest) -> HttpResponse:
        try:
            kind = MessageKind(request.POST.get("kind", ""))
        except ValueError:
            messages.error(request, _("Something went wrong with the form. Try again."))
            return self._render(status=400)
        form = ChannelsForm(request.POST, kind=kind)
        if not form.is_valid():
            return self._render(forms_override={kind: form}, status=400)
        chosen = preferences.set_channels(self.actor, kind, form.cleaned_data["channels"])
        if chosen:
            messages.success(request, _("Saved: %(kind)s.") % {"kind": kind.label})
        else:
            messages.success(
                request, _("Saved. You will not receive %(kind)s any more.") % {"kind": kind.label}
            )
        return redirect("alerts_portal:preferences")

    def _save_quiet_hours(self, request: HttpRequest) -> HttpResponse:
        form = QuietHoursForm(request.POST)
        if form.is_valid():
            try:
                preferences.set_quiet_hours(
                    self.actor,
                    form.cleaned_data["quiet_hours_start"],
                    form.cleaned_data["quiet_hours_end"],
                    urgent_alerts_break_quiet_hours=form.cleaned_data[
                        "urgent_alerts_break_quiet_hours"
                    ],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your quiet hours are saved."))
                return redirect("alerts_portal:preferences")
        return self._render(quiet_form=form, status=400)

    def _render(
        self,
        *,
        forms_override: dict[MessageKind, ChannelsForm] | None = None,
        quiet_form: QuietHoursForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        user = _user(self.request)
        chosen = {kind: channels_for([user.pk], kind)[user.pk] for kind in MessageKind}
        channel_forms = []
        for kind in MessageKind:
            form = (forms_override or {}).get(kind)
            if form is None:
                form = ChannelsForm(kind=kind, initial={"channels": sorted(chosen[kind])})
            channel_forms.append(form)
        given = active_consents(user)
        settings_row = RecipientSettings.objects.filter(person=user).first()
        if quiet_form is None:
            quiet_form = QuietHoursForm(
                initial={
                    "quiet_hours_start": settings_row.quiet_hours_start if settings_row else None,
                    "quiet_hours_end": settings_row.quiet_hours_end if settings_row else None,
                    "urgent_alerts_break_quiet_hours": bool(
                        settings_row and settings_row.urgent_alerts_break_quiet_hours
                    ),
                }
            )
        context: dict[str, Any] = {
            # SMS chosen but no number that can receive one: say so where it is chosen.
            "sms_unreachable": "sms" in chosen[MessageKind.ALERT]
            and normalise_mobile(user.phone) is None,
            "channel_forms": channel_forms,
            "quiet_form": quiet_form,
            "opted_out_at": settings_row.opted_out_at if settings_row else None,
            "email_suppression": suppression_of(user.email) if user.email else None,
            "consents": {kind: kind.consent_purpose in given for kind in MessageKind},
        }
        return render(self.request, self.template_name, context, status=status)
