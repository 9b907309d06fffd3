"""The back-office alert form: it parses input into an `AlertDraft`; the service validates
and its errors are shown on the same fields."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.policy import Action, Actor, covers_municipality, scope_queryset
from weerbaar.alerts.models import Alert, AlertCategory, Severity, UpdateKind
from weerbaar.alerts.services.alerts import AlertDraft
from weerbaar.network.forms_staff import StaffForm
from weerbaar.network.models import Area, Municipality

DEFAULT_LIFETIME = datetime.timedelta(days=3)
TARGET_FIELDS = ("areas", "municipalities", "sectors", "whole_network")


class AreaChoiceField(forms.ModelMultipleChoiceField):
    """Areas with their municipality: a regional platform has several "Centrum"s."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.municipality})"


def target_options(
    actor: Actor, *, area_action: Action, municipality_action: Action
) -> dict[str, Any]:
    """What an actor may choose in a TargetForm (the keyword arguments of its form): the
    areas in scope of `area_action`, the municipalities `municipality_action` covers as a
    whole, and the whole network for a platform administrator."""
    municipalities = scope_queryset(actor, municipality_action, Municipality.objects.all())
    return {
        "areas": scope_queryset(actor, area_action, Area.objects.all()),
        "municipalities": municipalities.filter(
            pk__in=[
                municipality.pk
                for municipality in municipalities
                if covers_municipality(actor, municipality_action, municipality)
            ]
        ),
        "allow_whole_network": actor.covers_whole_network,
    }


class TargetForm(StaffForm):
    """The "who receives it" fields of an alert and of a newsletter segment: areas, whole
    municipalities, SBI sectors and the whole network, as checkboxes (a multiple select is
    hard to use with a keyboard or on a phone). `limit_target` offers only what the actor
    may choose; a municipality and the whole network are left out for those who may not."""

    areas = AreaChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Whole municipalities"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.CharField(
        label=_("Only these sectors (SBI codes)"),
        required=False,
        help_text=_("Separated by commas, for example 47, 5610. Empty: every sector."),
    )
    whole_network = forms.BooleanField(label=_("The whole network"), required=False)

    def limit_target(
        self,
        *,
        areas: QuerySet[Area],
        municipalities: QuerySet[Municipality],
        allow_whole_network: bool,
    ) -> None:
        area_field = cast(forms.ModelMultipleChoiceField, self.fields["areas"])
        area_field.queryset = areas.select_related("municipality").order_by(
            "municipality__name", "name"
        )
        municipality_field = cast(forms.ModelMultipleChoiceField, self.fields["municipalities"])
        municipality_field.queryset = municipalities.order_by("name")
        if not municipalities.exists():
            del self.fields["municipalities"]
        if not allow_whole_network:
            del self.fields["whole_network"]

    @staticmethod
    def target_initial(
        areas: Any, municipalities: Any, sectors: list[str], whole_network: bool
    ) -> dict[str, Any]:
        return {
            "areas": list(areas.all()),
            "municipalities": list(municipalities.all()),
            "sectors": ", ".join(sectors),
            "whole_network": whole_network,
        }

    def target_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "areas": list(data["areas"]),
            "municipalities": list(data.get("municipalities") or []),
            "sectors": [code.strip() for code in data["sectors"].split(",") if code.strip()],
            "whole_network": bool(data.get("whole_network")),
        }


class AlertForm(TargetForm):
    field_order = (
        "title",
        "severity",
        "category",
        "message",
        "advice",
        "link_url",
        "expires_at",
        *TARGET_FIELDS,
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    category = forms.ChoiceField(label=_("Category"), choices=AlertCategory.choices)
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened and what to look out for. Plain text; no photos of suspects."),
    )
    advice = forms.CharField(
        label=_("What to do"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    link_url = forms.URLField(
        label=_("Link with more information"), required=False, assume_scheme="https"
    )
    expires_at = forms.DateTimeField(
        label=_("Applies until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[Area],
        municipalities: QuerySet[Municipality],
        allow_whole_network: bool,
        alert: Alert | None = None,
        **kwargs: Any,
    ) -> None:
        if alert is not None:
            kwargs["initial"] = {
                "title": alert.title,
                "severity": alert.severity,
                "category": alert.category,
                "message": alert.message,
                "advice": alert.advice,
                "link_url": alert.link_url,
                "expires_at": timezone.localtime(alert.expires_at),
                **self.target_initial(
                    alert.target_areas,
                    alert.target_municipalities,
                    alert.target_sectors,
                    alert.whole_network,
                ),
            }
        else:
            kwargs.setdefault("initial", {}).setdefault(
                "expires_at", timezone.localtime() + DEFAULT_LIFETIME
            )
        super().__init__(*args, **kwargs)
        self.limit_target(
            areas=areas, municipalities=municipalities, allow_whole_network=allow_whole_network
        )

    def draft(self) -> AlertDraft:
        data = self.cleaned_data
        return AlertDraft(
            title=data["title"],
            message=data["message"],
            category=data["category"],
            severity=data["severity"],
            advice=data["advice"],
            link_url=data["link_url"],
            expires_at=data["expires_at"],
            **self.target_values(),
        )


class UpdateForm(StaffForm):
    kind = forms.ChoiceField(label=_("Kind of update"), choices=UpdateKind.choices)
    text = forms.CharField(
        label=_("Update"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SendBackForm(StaffForm):
    reason = forms.CharField(
        label=_("Why it goes back to the author"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
