"""Newsletter blocks: the registry of block types a newsletter is composed from.

A block type is a `BlockType` subclass registered with `@register_block` under a unique
`key` (stored on each `NewsletterBlock`). It brings a form for staff to fill in, turns the
form's values into the stored `data` and back, and renders that data with two templates,
`newsletters/blocks/<key>.html` (email, web version, preview) and `…/<key>.txt` (the text
part of the email). The built-in types are text, links and figures; other modules (the
knowledge base, events) register their own from their AppConfig.ready().

Everything an author types is plain text: the templates escape it, and a link must be an
http(s) address, so nothing typed into a block can add markup, scripts or tracking.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from weerbaar.network.forms_staff import StaffForm

MAX_LINKS = 10
MAX_FIGURES = 8
LINE_SEPARATOR = "|"


class UnknownBlockTypeError(LookupError):
    pass


class BlockType(ABC):
    key: ClassVar[str]
    label: ClassVar[StrOrPromise]
    description: ClassVar[StrOrPromise] = ""
    form_class: ClassVar[type[forms.Form]]

    @abstractmethod
    def to_data(self, values: dict[str, Any]) -> dict[str, Any]:
        """The data to store, from the valid form's cleaned values."""

    @abstractmethod
    def to_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        """The form's initial values for stored data (to change a block)."""

    def form(self, data: Any = None, *, stored: dict[str, Any] | None = None) -> forms.Form:
        initial = self.to_initial(stored) if stored is not None else None
        return self.form_class(data, initial=initial, prefix="block")

    def render_html(self, data: dict[str, Any]) -> SafeString:
        return SafeString(render_to_string(f"newsletters/blocks/{self.key}.html", {"block": data}))

    def render_text(self, data: dict[str, Any]) -> str:
        text = render_to_string(f"newsletters/blocks/{self.key}.txt", {"block": data})
        return text.strip()


_REGISTRY: dict[str, type[BlockType]] = {}


def register_block[B: type[BlockType]](block_class: B) -> B:
    """Class decorator: make `block_class` available under its `key`."""
    key = block_class.key
    registered = _REGISTRY.get(key)
    if registered is not None and registered is not block_class:
        raise ValueError(f"block type {key!r} is already registered by {registered!r}")
    _REGISTRY[key] = block_class
    return block_class


def get_block_type(key: str) -> BlockType:
    try:
        return _REGISTRY[key]()
    except KeyError:
        raise UnknownBlockTypeError(f"no newsletter block type {key!r}") from None


def block_types() -> list[BlockType]:
    """Every registered block type, in the order they were registered."""
    return [block_class() for block_class in _REGISTRY.values()]


# --- built-in block types -------------------------------------------------------------------


class TextBlockForm(StaffForm):
    heading = forms.CharField(label=_("Heading"), max_length=150, required=False)
    body = forms.CharField(
        label=_("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text. An empty line starts a new paragraph."),
    )


@register_block
class TextBlock(BlockType):
    key = "text"
    label = _("Text")
    description = _("A heading and paragraphs.")
    form_class = TextBlockForm

    def to_data(self, values: dict[str, Any]) -> dict[str, Any]:
        paragraphs = [part.strip() for part in values["body"].replace("\r\n", "\n").split("\n\n")]
        return {"heading": values["heading"].strip(), "paragraphs": [p for p in paragraphs if p]}

    def to_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"heading": data.get("heading", ""), "body": "\n\n".join(data.get("paragraphs", []))}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _split_line(line: str, number: int, what: StrOrPromise) -> tuple[str, str]:
    label, separator, value = line.rpartition(LINE_SEPARATOR)
    if not separator or not label.strip() or not value.strip():
        raise ValidationError(
            _("Line %(number)s: write %(what)s, separated by a vertical bar |."),
            params={"number": number, "what": what},
        )
    return label.strip(), value.strip()


def _as_lines(items: list[dict[str, str]], label_key: str, value_key: str) -> str:
    """The textarea form of parsed lines: "label | value" per line (to change a block)."""
    return "\n".join(f"{item[label_key]} {LINE_SEPARATOR} {item[value_key]}" for item in items)


def parse_links(text: str) -> list[dict[str, str]]:
    """ "Label | https://…" per line into [{"label", "url"}]; a clear error per bad line."""
    lines = _lines(text)
    if not lines:
        raise ValidationError(_("Add at least one link."))
    if len(lines) > MAX_LINKS:
        raise ValidationError(_("At most %(max)s links per block."), params={"max": MAX_LINKS})
    links = []
    validate_url = URLValidator(schemes=["http", "https"])
    for number, line in enumerate(lines, start=1):
        label, url = _split_line(line, number, _("the text of the link and its address"))
        try:
            validate_url(url)
        except ValidationError:
            raise ValidationError(
                _("Line %(number)s: %(url)s is not a web address starting with https://."),
                params={"number": number, "url": url[:100]},
            ) from None
        if len(label) > 150 or len(url) > 500:
            raise ValidationError(_("Line %(number)s is too long."), params={"number": number})
        links.append({"label": label, "url": url, "host": urlsplit(url).hostname or ""})
    return links


def parse_figures(text: str) -> list[dict[str, str]]:
    """ "Label | value" per line into [{"label", "value"}]."""
    lines = _lines(text)
    if not lines:
        raise ValidationError(_("Add at least one figure."))
    if len(lines) > MAX_FIGURES:
        raise ValidationError(_("At most %(max)s figures per block."), params={"max": MAX_FIGURES})
    figures = []
    for number, line in enumerate(lines, start=1):
        label, value = _split_line(line, number, _("what the figure is and the figure"))
        if len(label) > 150 or len(value) > 30:
            raise ValidationError(
                _("Line %(number)s: keep the figure under 30 characters and its text under 150."),
                params={"number": number},
            )
        figures.append({"label": label, "value": value})
    return figures


class LinksBlockForm(StaffForm):
    heading = forms.CharField(label=_("Heading"), max_length=150, required=False)
    links = forms.CharField(
        label=_("Links"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One link per line: the text, a vertical bar, the address. For example: "
            "Checklist cyber security | https://www.digitaltrustcenter.nl"
        ),
    )

    def clean_links(self) -> list[dict[str, str]]:
        return parse_links(self.cleaned_data["links"])


@register_block
class LinksBlock(BlockType):
    key = "links"
    label = _("Links")
    description = _("A list of links to read more.")
    form_class = LinksBlockForm

    def to_data(self, values: dict[str, Any]) -> dict[str, Any]:
        return {"heading": values["heading"].strip(), "links": values["links"]}

    def to_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        links = _as_lines(data.get("links", []), "label", "url")
        return {"heading": data.get("heading", ""), "links": links}


class FiguresBlockForm(StaffForm):
    heading = forms.CharField(label=_("Heading"), max_length=150, required=False)
    figures = forms.CharField(
        label=_("Figures"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One figure per line: what it is, a vertical bar, the figure. For example: "
            "Reports this month | 42"
        ),
    )
    note = forms.CharField(label=_("Source or explanation"), max_length=300, required=False)

    def clean_figures(self) -> list[dict[str, str]]:
        return parse_figures(self.cleaned_data["figures"])


@register_block
class FiguresBlock(BlockType):
    key = "figures"
    label = _("Figures")
    description = _("Key figures, such as reports in the area this month.")
    form_class = FiguresBlockForm

    def to_data(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "heading": values["heading"].strip(),
            "figures": values["figures"],
            "note": values["note"].strip(),
        }

    def to_initial(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "heading": data.get("heading", ""),
            "figures": _as_lines(data.get("figures", []), "label", "value"),
            "note": data.get("note", ""),
        }
