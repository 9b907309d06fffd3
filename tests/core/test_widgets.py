"""PlainSelect renders the same markup as Django's Select, without per-option templates."""

from __future__ import annotations

import re

import pytest
from django import forms

from weerbaar.core.widgets import PlainSelect

CHOICES = [
    ("", "Alle categorieën"),
    ("Ondermijning", [("drug_lab", "Drugslab"), ("x<y", 'Waar "A" & <B>')]),
    ("theft", "Diefstal"),
]


def squash(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("value", ["", "drug_lab", "x<y", "theft", "unknown"])
def test_same_html_as_django_select(value: str) -> None:
    class Django(forms.Form):
        category = forms.ChoiceField(choices=CHOICES, required=False, help_text="Kies er een")

    class Plain(forms.Form):
        category = forms.ChoiceField(
            choices=CHOICES, required=False, help_text="Kies er een", widget=PlainSelect
        )

    data = {"category": value}
    django_form, plain_form = Django(data), Plain(data)
    django_form.is_valid()
    plain_form.is_valid()
    assert squash(str(plain_form["category"])) == squash(str(django_form["category"]))


def test_escapes_labels_and_values() -> None:
    class Plain(forms.Form):
        category = forms.ChoiceField(choices=CHOICES, widget=PlainSelect)

    html = str(Plain()["category"])
    assert "<B>" not in html
    assert "&lt;B&gt;" in html
    assert 'value="x&lt;y"' in html
