"""Back office of alerts (/beheer/waarschuwingen/): the list, composing with a reach preview,
the alert page with its approval, updates and delivery figures.

Every page declares its action; alerts are looked up in what the policy scopes to the
actor (404 outside it, 403 without the action). Every write calls
`alerts.services.alerts`; a refusal is shown with status 400 and nothing written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.accounts.policy import Action
from weerbaar.alerts import audience, queries
from weerbaar.alerts.forms_staff import AlertForm, SendBackForm, UpdateForm, target_options
from weerbaar.alerts.models import Alert, AlertSettings, AlertStatus, MessageKind
from weerbaar.alerts.services import alerts as alert_services
from weerbaar.alerts.services import broadcast
from weerbaar.core.channels import channel_choices
from weerbaar.core.models import DeliveryStatus, OutboundMessage
from weerbaar.network.models import Municipality
from weerbaar.network.views_staff import Crumbs, StaffActionView, StaffView


def list_crumbs() -> Crumbs:
    return [(reverse("alerts_staff:list"), _("Alerts"))]


class AlertListView(StaffView):
    permission_action = Action.VIEW_ALERTS
    template_name = "alerts/staff/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = self.paginate(queries.alerts_for_staff(self.actor))
        return self.render_page({"page_obj": page, "can_compose": self.can(Action.COMPOSE_ALERT)})


class AlertSettingsView(StaffView):
    """Per municipality: does every alert need a second person's approval?"""

    permission_action = Action.MANAGE_ALERT_SETTINGS
    template_name = "alerts/staff/settings.html"

    def breadcrumbs(self) -> Crumbs:
        return list_crumbs()

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page({"rows": self.rows()})

    def post(self, request: HttpRequest) -> HttpResponse:
        chosen = request.POST.get("municipality", "")
        if not chosen.isdigit():
            raise Http404
        municipality = get_object_or_404(self.municipalities(), pk=int(chosen))
        required = request.POST.get("requires_approval") == "1"
        alert_services.set_requires_approval(self.actor, municipality, required)
        messages.success(request, _("Saved for %(name)s.") % {"name": municipality.name})
        return redirect("alerts_staff:settings")

    def municipalities(self) -> QuerySet[Municipality]:
        return self.scoped(Municipality.objects.order_by("name"))

    def rows(self) -> list[tuple[Municipality, bool]]:
        required = set(
            AlertSettings.objects.filter(requires_approval=True).values_list(
                "municipality_id", flat=True
            )
        )
        return [(m, m.pk in required) for m in self.municipalities()]


class AlertFormView(StaffView):
    """Compose or change a draft. "Show reach" re-renders the form with the numbers of
    people per channel it would reach now; nothing is saved then."""

    # Back office: staff only (ambassadors write from their portal); the service checks
    # COMPOSE_ALERT and every target.
    permission_action = Action.VIEW_ALERTS
    template_name = "alerts/staff/form.html"
    alert: Alert | None = None

    def load(self, pk: int | None) -> None:
        if pk is not None:
            self.alert = get_object_or_404(queries.alerts_for_staff(self.actor), pk=pk)

    def breadcrumbs(self) -> Crumbs:
        crumbs = list_crumbs()
        if self.alert is not None:
            crumbs.append((reverse("alerts_staff:detail", args=[self.alert.pk]), self.alert.title))
        return crumbs

    def form(self, data: Any = None) -> AlertForm:
        options = target_options(
            self.actor,
            area_action=Action.COMPOSE_ALERT,
            municipality_action=Action.APPROVE_ALERT,
        )
        return AlertForm(data, **options, alert=self.alert if data is None else None)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self.load(pk)
        return self.render_form(self.form())

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self.load(pk)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        draft = form.draft()
        if "preview" in request.POST:
            target = audience.Target(
                whole_network=draft.whole_network,
                municipality_ids=frozenset(m.pk for m in draft.municipalities),
                area_ids=frozenset(a.pk for a in draft.areas),
                sectors=tuple(draft.sectors),
            )
            reach = audience.reach_of(target, MessageKind.ALERT, alert_services.ALERT_CHANNELS)
            return self.render_form(form, reach=reach)
        try:
            if self.alert is None:
                alert = alert_services.create_alert(self.actor, draft)
            else:
                alert = alert_services.edit_alert(self.actor, self.alert, draft)
        except ValidationError as error:
            form.show_errors(error)
            return self.render_form(form, status=400)
        messages.success(request, _("The draft is saved. Check it and send it when ready."))
        return redirect("alerts_staff:detail", pk=alert.pk)

    def render_form(
        self, form: AlertForm, *, reach: audience.Reach | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "alert": self.alert,
            "title": _("Change the alert") if self.alert else _("New alert"),
            "reach": reach,
            "cancel_url": self.breadcrumbs()[-1][0],
        }
        return self.render_page(context, status=status)


class AlertDetailView(StaffView):
    permission_action = Action.VIEW_ALERTS
    template_name = "alerts/staff/detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        alert = get_object_or_404(queries.alerts_for_staff(self.actor), pk=pk)
        return self.render_page(detail_context(self, alert))

    def breadcrumbs(self) -> Crumbs:
        return list_crumbs()


def detail_context(view: StaffView, alert: Alert, **forms: Any) -> dict[str, Any]:
    """What the alert page shows: the alert, its updates, delivery figures per message and
    channel, and which buttons the actor gets."""
    may_approve = view.can(Action.APPROVE_ALERT, alert)
    is_author = alert.created_by_id == view.actor.user.pk
    return {
        "alert": alert,
        "updates": list(alert.updates.select_related("created_by")),
        "target_areas": list(alert.target_areas.select_related("municipality")),
        "target_municipalities": list(alert.target_municipalities.all()),
        "deliveries": delivery_figures(alert_services.messages_of(alert).order_by("created_at")),
        "may_edit": alert.status == AlertStatus.DRAFT and (is_author or may_approve),
        "may_approve": may_approve
        and alert.status == AlertStatus.AWAITING_APPROVAL
        and not is_author,
        "may_follow_up": may_approve and alert.status == AlertStatus.PUBLISHED,
        "update_form": forms.get("update_form") or UpdateForm(),
        "send_back_form": forms.get("send_back_form") or SendBackForm(),
        "breadcrumbs": list_crumbs(),
    }


@dataclass
class DeliveryFigures:
    """What staff see of the deliveries on an alert or newsletter page: per message a table
    with a row per channel (waiting, sent, failed, stopped, bounced)."""

    tables: list[dict[str, Any]] = field(default_factory=list)
    any_bounced: bool = False

    def __bool__(self) -> bool:
        return bool(self.tables)


def delivery_figures(messages: Iterable[OutboundMessage]) -> DeliveryFigures:
    labels = dict(channel_choices())
    figures = DeliveryFigures()
    for message in messages:
        counts = broadcast.delivery_counts(message)
        figures.any_bounced |= any(per.get(DeliveryStatus.BOUNCED) for per in counts.values())
        figures.tables.append(
            {
                "message": message,
                "rows": [
                    {
                        "channel": labels.get(channel, channel),
                        "queued": per.get(DeliveryStatus.QUEUED, 0)
                        + per.get(DeliveryStatus.SENDING, 0),
                        "sent": per.get(DeliveryStatus.SENT, 0),
                        "failed": per.get(DeliveryStatus.FAILED, 0),
                        "cancelled": per.get(DeliveryStatus.CANCELLED, 0),
                        "bounced": per.get(DeliveryStatus.BOUNCED, 0),
                    }
                    for channel, per in sorted(counts.items())
                ],
            }
        )
    return figures


class AlertActionView(StaffActionView):
    """A button on the alert page."""

    permission_action = Action.VIEW_ALERTS
    alert: Alert

    def load(self) -> None:
        self.alert = get_object_or_404(queries.alerts_for_staff(self.actor), pk=self.kwargs["pk"])

    def back_url(self) -> str:
        return reverse("alerts_staff:detail", args=[self.alert.pk])

    def breadcrumbs(self) -> Crumbs:
        return list_crumbs()


class SendView(AlertActionView):
    def perform(self) -> None:
        alert = alert_services.send_alert(self.actor, self.alert)
        if alert.status == AlertStatus.AWAITING_APPROVAL:
            messages.success(self.request, _("The alert waits for approval by a colleague."))
        else:
            messages.success(self.request, _("The alert is published and being sent."))


class ApproveView(AlertActionView):
    def perform(self) -> None:
        alert_services.approve_alert(self.actor, self.alert)
        messages.success(self.request, _("Approved. The alert is published and being sent."))


class WithdrawView(AlertActionView):
    def perform(self) -> None:
        cancelled = alert_services.withdraw_alert(self.actor, self.alert)
        messages.success(
            self.request,
            _("The alert is withdrawn; %(count)s messages that had not gone out were stopped.")
            % {"count": cancelled},
        )


class RetryView(AlertActionView):
    def perform(self) -> None:
        queued = alert_services.retry_failed_deliveries(self.actor, self.alert)
        messages.success(
            self.request, _("%(count)s failed messages are being sent again.") % {"count": queued}
        )


class AlertFormActionView(StaffView, ABC):
    """A form on the alert page (POST only); invalid input or a refusal re-renders the
    page with the form's errors and status 400, nothing written."""

    http_method_names = ["post"]
    permission_action = Action.VIEW_ALERTS
    template_name = "alerts/staff/detail.html"
    form_class: type[UpdateForm] | type[SendBackForm]
    form_name: str
    success_text: Any = ""

    @abstractmethod
    def perform(self, alert: Alert, values: dict[str, Any]) -> None:
        """Call the service with the valid form's values."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        alert = get_object_or_404(queries.alerts_for_staff(self.actor), pk=pk)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.perform(alert, form.cleaned_data)
            except ValidationError as error:
                form.show_errors(error)
            else:
                messages.success(request, str(self.success_text))
                return redirect("alerts_staff:detail", pk=alert.pk)
        return self.render_page(detail_context(self, alert, **{self.form_name: form}), status=400)


class UpdateView(AlertFormActionView):
    form_class = UpdateForm
    form_name = "update_form"
    success_text = gettext_lazy("The update is being sent to everyone the alert reached.")

    def perform(self, alert: Alert, values: dict[str, Any]) -> None:
        alert_services.add_update(self.actor, alert, values["kind"], values["text"])


class SendBackView(AlertFormActionView):
    form_class = SendBackForm
    form_name = "send_back_form"
    success_text = gettext_lazy("The alert went back to its author.")

    def perform(self, alert: Alert, values: dict[str, Any]) -> None:
        alert_services.send_back(self.actor, alert, values["reason"])
