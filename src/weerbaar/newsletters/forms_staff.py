"""Back-office forms of newsletters: they parse input into drafts; the services validate,
and their errors are shown on the same fields."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weerbaar.alerts.forms_staff import TARGET_FIELDS, TargetForm
from weerbaar.network.forms_staff import StaffForm
from weerbaar.network.models import Area, Municipality
from weerbaar.newsletters.models import JoinedWithin, Newsletter, Segment, SegmentRole
from weerbaar.newsletters.services.newsletters import NewsletterDraft
from weerbaar.newsletters.services.segments import SegmentDraft


class NewsletterForm(StaffForm):
    title = forms.CharField(
        label=_("Title"), max_length=150, help_text=_("Also the subject of the email.")
    )
    intro = forms.CharField(
        label=_("Introduction"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.none(),
        empty_label=_("Choose who receives it"),
        help_text=_("Who is in a segment is worked out again when the newsletter goes out."),
    )

    def __init__(
        self,
        *args: Any,
        segments: QuerySet[Segment],
        newsletter: Newsletter | None = None,
        **kwargs: Any,
    ) -> None:
        if newsletter is not None:
            kwargs["initial"] = {
                "title": newsletter.title,
                "intro": newsletter.intro,
                "segment": newsletter.segment,
            }
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["segment"]).queryset = segments

    def draft(self) -> NewsletterDraft:
        data = self.cleaned_data
        return NewsletterDraft(title=data["title"], intro=data["intro"], segment=data["segment"])


class SegmentForm(TargetForm):
    field_order = ("name", *TARGET_FIELDS, "roles", "joined_within")
    name = forms.CharField(label=_("Name"), max_length=100)
    roles = forms.MultipleChoiceField(
        label=_("Only these roles"),
        choices=SegmentRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone at the businesses."),
    )
    joined_within = forms.ChoiceField(
        label=_("Joined the network"),
        choices=[("", _("Any time")), *JoinedWithin.choices],
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[Area],
        municipalities: QuerySet[Municipality],
        allow_whole_network: bool,
        segment: Segment | None = None,
        **kwargs: Any,
    ) -> None:
        if segment is not None:
            kwargs["initial"] = {
                "name": segment.name,
                "roles": segment.roles,
                "joined_within": segment.joined_within,
                **self.target_initial(
                    segment.areas, segment.municipalities, segment.sectors, segment.whole_network
                ),
            }
        super().__init__(*args, **kwargs)
        self.limit_target(
            areas=areas, municipalities=municipalities, allow_whole_network=allow_whole_network
        )

    def draft(self) -> SegmentDraft:
        data = self.cleaned_data
        return SegmentDraft(
            name=data["name"],
            roles=list(data["roles"]),
            joined_within=data["joined_within"],
            **self.target_values(),
        )


class TestSendForm(StaffForm):
    addresses = forms.CharField(
        label=_("Send a test to"),
        required=False,
        help_text=_("Email addresses separated by commas; empty: your own address."),
    )

    def address_list(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["addresses"].split(",") if part.strip()]


class ScheduleForm(StaffForm):
    scheduled_for = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "scheduled_for",
            (timezone.localtime() + datetime.timedelta(days=1)).replace(
                hour=9, minute=0, second=0, microsecond=0
            ),
        )
        super().__init__(*args, **kwargs)
