"""Check the Dutch message catalogue: every msgid translated, nothing fuzzy, .mo up to date.

Run as `python -m weerbaar.core.catalogue path/to/django.po` (make messages-check).
Parses the .po itself so that it needs no gettext tools.
"""

from __future__ import annotations

import gettext
import sys
from pathlib import Path


def parse_po(text: str) -> list[dict[str, object]]:
    """Entries of a .po file as dicts with msgid, msgid_plural, msgstr (list) and fuzzy."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    field: str | None = None

    def finish() -> None:
        if "msgid" in current:
            entries.append(dict(current))
        current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        if line.startswith("#,") and "fuzzy" in line:
            finish()
            current["fuzzy"] = True
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            if "msgid" in current:
                finish()
            field = "msgctxt"
            current[field] = _unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
            current[field] = _unquote(line[13:])
        elif line.startswith("msgid "):
            if "msgid" in current:
                finish()
            field = "msgid"
            current[field] = _unquote(line[6:])
        elif line.startswith("msgstr"):
            field = "msgstr"
            value = _unquote(line.split(" ", 1)[1])
            current.setdefault("msgstr", [])
            current["msgstr"].append(value)  # type: ignore[union-attr]
        elif line.startswith('"') and field:
            if field == "msgstr":
                current["msgstr"][-1] += _unquote(line)  # type: ignore[index]
            else:
                current[field] = str(current[field]) + _unquote(line)
    finish()
    return entries


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def problems(po_path: Path) -> list[str]:
    found: list[str] = []
    for entry in parse_po(po_path.read_text(encoding="utf-8")):
        msgid = str(entry["msgid"])
        if not msgid:
            continue  # the header
        if entry.get("fuzzy"):
            found.append(f"fuzzy: {msgid!r}")
        if any(not s for s in entry.get("msgstr", [])) or not entry.get("msgstr"):  # type: ignore[attr-defined]
            found.append(f"untranslated: {msgid!r}")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        found.append(f"missing compiled catalogue {mo_path}")
    else:
        with mo_path.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for entry in parse_po(po_path.read_text(encoding="utf-8")):
            msgid = str(entry["msgid"])
            if not msgid or entry.get("fuzzy") or "msgid_plural" in entry or "msgctxt" in entry:
                continue
            if compiled.gettext(msgid) == msgid and entry["msgstr"] != [msgid]:  # type: ignore[comparison-overlap]
                found.append(f"stale .mo (run make messages): {msgid!r}")
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
