"""The catalogue check must catch what `make messages-check` promises to catch."""

import subprocess
from pathlib import Path

import pytest

from weerbaar.core.catalogue import parse_po, problems

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Log in"
msgstr "Inloggen"

#, fuzzy
msgid "Log out"
msgstr "Uitloggen"

msgid "Long "
"text"
msgstr ""

msgid "%(n)s area"
msgid_plural "%(n)s areas"
msgstr[0] "%(n)s gebied"
msgstr[1] ""
"""


def test_parse_po_reads_multiline_and_plural_entries() -> None:
    entries = {e.msgid: e for e in parse_po(PO)}
    assert entries["Long text"].msgstr == [""]
    assert entries["%(n)s area"].msgstr == ["%(n)s gebied", ""]
    assert entries["Log out"].fuzzy


def test_problems_lists_fuzzy_untranslated_and_missing_mo(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(PO, encoding="utf-8")
    found = problems(po)
    assert "fuzzy: 'Log out'" in found
    assert "untranslated: 'Long text'" in found
    assert "untranslated: '%(n)s area'" in found
    assert any("missing compiled catalogue" in line for line in found)


def test_the_committed_dutch_catalogue_is_complete() -> None:
    po = Path(__file__).resolve().parents[2] / "src/weerbaar/locale/nl/LC_MESSAGES/django.po"
    assert problems(po) == []


@pytest.mark.skipif(
    subprocess.run(["which", "msgfmt"], capture_output=True, check=False).returncode,
    reason="msgfmt (gettext) not installed",
)
def test_stale_mo_is_detected(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Log in"\nmsgstr "Inloggen"\n',
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", str(tmp_path / "django.mo"), str(po)], check=True)
    assert problems(po) == []
    po.write_text(po.read_text(encoding="utf-8").replace("Inloggen", "Aanmelden"), encoding="utf-8")
    assert any(line.startswith("stale .mo") for line in problems(po))
