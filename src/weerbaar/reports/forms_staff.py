"""Forms of the handlers' back office: the work-queue filters and the action forms.

The action forms parse input into the arguments of `reports.services.handling`. They mark
what the service requires as required (with the service's own wording), so the label says so
and an empty field is caught at once; the service checks everything again (lengths, allowed
transitions, who may be assigned) and its `ValidationError`s are shown on the same fields
(`StaffForm.show_errors`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from weerbaar.accounts.models import Organisation, User
from weerbaar.core.widgets import PlainSelect
from weerbaar.network.forms_staff import StaffForm
from weerbaar.network.models import Area, Municipality
from weerbaar.reports.models import ReportCategory, ReportStatus
from weerbaar.reports.queries import DEFAULT_SORT, QueueFilters
from weerbaar.reports.workflow import Needs, Transition

INVALID_CHOICE = _("Choose one of the options in the list.")

# The status filter also offers the two views most used: open reports (the default) and all.
OPEN = ""
ALL = "all"

HANDLER_ANYONE = ""
HANDLER_ME = "me"
HANDLER_NONE = "none"


def category_choices(categories: list[ReportCategory]) -> list[tuple[str, str]]:
    """Groups with their categories beneath them, in the order of the tree."""
    groups = [c for c in categories if c.parent_id is None]
    children: dict[int, list[ReportCategory]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[str, str]] = [("", str(_("All categories")))]
    for group in groups:
        choices.append((group.code, str(_("%(group)s (whole group)") % {"group": group.label})))
        choices.extend((child.code, f"— {child.label}") for child in children.get(group.pk, []))
    return choices


class AreaChoiceField(forms.ModelChoiceField[Area]):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({obj.municipality.name})"


class HandlerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class QueueFilterForm(StaffForm):
    """The work queue's GET filters. Every field is optional; empty means the default view
    (open reports, newest first)."""

    SORT_CHOICES = [
        ("newest", _("Newest first")),
        ("oldest", _("Oldest first")),
        ("due", _("Deadline (earliest first)")),
        ("status", _("Status")),
    ]
    HANDLER_CHOICES = [
        (HANDLER_ANYONE, _("Anyone or nobody")),
        (HANDLER_ME, _("Assigned to me")),
        (HANDLER_NONE, _("Unassigned")),
    ]

    q = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=20,
        help_text=_("For example M26-K7QF-3MXR."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(OPEN, _("Open reports")), (ALL, _("All reports")), *ReportStatus.choices],
    )
    category = forms.ChoiceField(label=_("Category or group"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    handler = forms.ChoiceField(label=_("Handler"), required=False, choices=HANDLER_CHOICES)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        *args: Any,
        categories: list[ReportCategory],
        municipalities: QuerySet[Municipality],
        areas: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {category.code: category for category in categories}
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = category_choices(categories)
        for name, queryset, empty in (
            ("municipality", municipalities, _("All municipalities")),
            ("area", areas, _("All areas")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
            field.empty_label = str(empty)
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = INVALID_CHOICE
            if type(field.widget) is forms.Select:
                # Rendered on every queue page: Python instead of a template per option.
                field.widget = PlainSelect(attrs=field.widget.attrs, choices=field.widget.choices)

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        status = data.get("status") or OPEN
        municipality = data.get("municipality")
        area = data.get("area")
        handler = data.get("handler") or HANDLER_ANYONE
        return QueueFilters(
            status="" if status in (OPEN, ALL) else status,
            open_only=status == OPEN,
            category=self.categories.get(data.get("category") or ""),
            municipality_id=municipality.pk if municipality is not None else None,
            area_id=area.pk if area is not None else None,
            overdue=bool(data.get("overdue")),
            mine=handler == HANDLER_ME,
            unassigned=handler == HANDLER_NONE,
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
        )


class KeyedForm(StaffForm):
    """An action form on the report page, named by `key`. Several share one page, so their
    ids carry the key; the field names stay plain."""

    def __init__(self, *args: Any, key: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{key}_%s")
        super().__init__(*args, **kwargs)
        self.key = key


class ReportActionForm(KeyedForm):
    """The report's `version` the handler saw travels along, so a change based on an
    outdated page is refused by the service (nothing written)."""

    version = forms.IntegerField(label=_("Report version"), widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = _(
            "The form is incomplete. Reload the page and try again."
        )


def text_field(label: Any, help_text: Any = "", required_message: Any = "") -> forms.CharField:
    """A textarea; required when `required_message` says what to write."""
    field = forms.CharField(
        label=label,
        help_text=help_text,
        required=bool(required_message),
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    if required_message:
        field.error_messages["required"] = required_message
    return field


def require(field: forms.Field, message: Any) -> None:
    field.required = True
    field.error_messages["required"] = message


# Label, help text and (when required) the message for an empty field, per workflow need.
# The messages are the service's own, so the reporter-facing rules read the same everywhere.
TEXT_FOR_NEEDS: dict[Needs, tuple[Any, Any, Any]] = {
    Needs.FEEDBACK: (
        _("Feedback for the reporter"),
        _("The reporter receives this text: by email, or on the receipt page when anonymous."),
        _("Write the feedback the reporter will receive."),
    ),
    Needs.QUESTION: (
        _("Question for the reporter"),
        _("The reporter reads the question and can answer it."),
        _("Write the question for the reporter."),
    ),
    Needs.REASON: (
        _("Explanation for the reporter"),
        _("The reporter receives this text."),
        _("Explain to the reporter why the report is cancelled."),
    ),
    Needs.DUPLICATE_OF: (
        _("Message to the reporter"),
        _("The reporter receives this text."),
        "",
    ),
}


class TransitionForm(ReportActionForm):
    """One step of the workflow. Only the fields the step needs are shown; posting a step
    that is not allowed (any more) still parses, and the service refuses it."""

    target = forms.ChoiceField(
        label=_("New status"), choices=ReportStatus.choices, widget=forms.HiddenInput
    )
    text = text_field(_("Message to the reporter"))
    duplicate_of = forms.CharField(
        label=_("Reference of the original report"),
        required=False,
        max_length=20,
        help_text=_("For example M26-K7QF-3MXR. It must be a report in the same municipality."),
    )

    def __init__(self, *args: Any, transition: Transition | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transition = transition
        if transition is None:
            return
        needs = transition.needs
        if needs == Needs.NOTHING:
            del self.fields["text"]
        else:
            label, help_text, required_message = TEXT_FOR_NEEDS[needs]
            self.fields["text"].label = label
            self.fields["text"].help_text = help_text
            if required_message:
                require(self.fields["text"], required_message)
        if needs == Needs.DUPLICATE_OF:
            require(self.fields["duplicate_of"], _("Choose the report this one duplicates."))
            self.order_fields(["duplicate_of", "text"])
        else:
            del self.fields["duplicate_of"]


class MessageForm(ReportActionForm):
    text = text_field(
        _("Message to the reporter"),
        _(
            "An identified reporter receives it by email; an anonymous reporter reads it on "
            "the receipt page."
        ),
        _("Write a message."),
    )


class NoteForm(KeyedForm):
    """Internal notes never conflict with other changes, so they carry no version."""

    text = text_field(
        _("Internal note"),
        _("Only handlers see internal notes; the reporter never does."),
        _("Write a note."),
    )


class AssignForm(ReportActionForm):
    assignee = HandlerChoiceField(
        label=_("Handler"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Only people who may handle this report are listed."),
    )

    def __init__(self, *args: Any, handlers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = handlers
        field.empty_label = str(_("Nobody (remove the handler)"))
        field.error_messages["invalid_choice"] = _(
            "This person may not handle this report. Choose someone from the list."
        )


class ForwardForm(ReportActionForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    team = forms.CharField(label=_("Team"), max_length=100, required=False)
    reason = text_field(
        _("Reason for forwarding"),
        _("Internal: the reporter does not see this."),
        _("Say why the report is forwarded."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        field.empty_label = str(_("Choose an organisation"))
        field.error_messages["invalid_choice"] = INVALID_CHOICE
        field.error_messages["required"] = _("Choose the organisation to forward to.")
