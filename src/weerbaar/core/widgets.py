"""Form widgets that render in Python where Django's template rendering is measurably slow.

Django renders a <select> with one template include per option. On the handlers' work
queue (a filter form with a category tree of about fifty options and the areas of a
municipality) that cost about 10 ms of CPU per page; `PlainSelect` builds the same markup
directly, with the same escaping and attributes, so accessibility attributes Django adds
(id, aria-describedby, aria-invalid) are kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> SafeString:
    parts = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        if value is True:
            parts.append(format_html(" {}", name))
        else:
            parts.append(format_html(' {}="{}"', name, value))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


class PlainSelect(forms.Select):
    """A `forms.Select` rendered without per-option templates (same HTML)."""

    def _render(
        self, template_name: str, context: dict[str, Any], renderer: BaseRenderer | None = None
    ) -> SafeString:
        widget = context["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), _attrs(o["attrs"]), o["label"]) for o in options),
            )
            if group_name:
                groups.append(
                    format_html(
                        '<optgroup label="{}">{}</optgroup>',
                        conditional_escape(group_name),
                        rendered,
                    )
                )
            else:
                groups.append(rendered)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            _attrs(widget["attrs"]),
            mark_safe("".join(groups)),  # noqa: S308 - each group is built by format_html
        )
