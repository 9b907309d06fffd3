"""Forms of the portal pages: channels per kind of message, quiet hours."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from weerbaar.alerts.models import MessageKind
from weerbaar.alerts.preferences import CHANNELS_BY_KIND
from weerbaar.core.channels import channel_choices


class ChannelsForm(forms.Form):
    """The channels for one kind of message."""

    kind = forms.ChoiceField(choices=MessageKind.choices, widget=forms.HiddenInput)
    channels = forms.MultipleChoiceField(
        label=_("Receive by"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, kind: MessageKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(channel_choices())
        channels = cast(forms.MultipleChoiceField, self.fields["channels"])
        channels.choices = [(key, labels.get(key, key)) for key in CHANNELS_BY_KIND[kind]]
        self.fields["kind"].initial = kind.value
        self.message_kind = kind


class QuietHoursForm(forms.Form):
    quiet_hours_start = forms.TimeField(
        label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    urgent_alerts_break_quiet_hours = forms.BooleanField(
        label=_("Urgent alerts may still reach me during quiet hours"), required=False
    )
