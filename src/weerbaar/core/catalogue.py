"""Check the Dutch message catalogue: every msgid translated, nothing fuzzy, .mo up to date.

Run as `python -m weerbaar.core.catalogue path/to/django.po` (make messages-check).
Parses the .po itself so that it needs no gettext tools.
"""

from __future__ import annotations

import gettext
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (comments other than the fuzzy flag are skipped)."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: str | None = None

    def start(fuzzy: bool = False) -> Entry:
        entry = Entry(fuzzy=fuzzy)
        entries.append(entry)
        return entry

    pending_fuzzy = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            current, last = None, None
            continue
        if line.startswith("#,"):
            pending_fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and (
            current is None or current.msgid or last == "msgstr"
        ):
            current = start(pending_fuzzy)
            pending_fuzzy = False
        if current is None:
            continue
        if keyword == "msgctxt":
            current.msgctxt, last = _unquote(rest), "msgctxt"
        elif keyword == "msgid":
            current.msgid, last = _unquote(rest), "msgid"
        elif keyword == "msgid_plural":
            current.msgid_plural, last = _unquote(rest), "msgid_plural"
        elif keyword.startswith("msgstr"):
            current.msgstr.append(_unquote(rest))
            last = "msgstr"
        elif line.startswith('"'):
            _continue(current, last, _unquote(line))
    return entries


def _continue(entry: Entry, last: str | None, text: str) -> None:
    if last == "msgstr":
        entry.msgstr[-1] += text
    elif last == "msgid":
        entry.msgid += text
    elif last == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    elif last == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def problems(po_path: Path) -> list[str]:
    entries = parse_po(po_path.read_text(encoding="utf-8"))
    found: list[str] = []
    for entry in entries:
        if not entry.msgid:
            continue  # the header
        if entry.fuzzy:
            found.append(f"fuzzy: {entry.msgid!r}")
        if not entry.msgstr or not all(entry.msgstr):
            found.append(f"untranslated: {entry.msgid!r}")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, f"missing compiled catalogue {mo_path}"]
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        if not entry.msgid or entry.fuzzy or entry.msgid_plural or entry.msgctxt:
            continue
        if entry.msgstr and compiled.gettext(entry.msgid) != entry.msgstr[0]:
            found.append(f"stale .mo (run make messages): {entry.msgid!r}")
            break
    return found


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path("src/weerbaar/locale/nl/LC_MESSAGES/django.po")
    found = problems(path)
    for line in found:
        print(line)
    print(f"{path}: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
