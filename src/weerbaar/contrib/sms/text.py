"""Fitting a message into at most three SMS parts.

An SMS carries 160 GSM-7 characters, or 153 per part when a text is split into parts (the
rest of each part says how to join them). One character outside the GSM-7 alphabet makes
the whole text UCS-2: 70 characters, 67 per part, and a character outside the Basic
Multilingual Plane (most emoji) counts twice. The GSM-7 extension characters (€ [ ] { } \\
^ ~ | and form feed) count twice, and no character is split over two parts. CM detects the
encoding the same way (`"type": "auto"`).

MAX_PARTS = 3: 459 GSM-7 characters, or 201 in UCS-2. Every part is billed, and phones join
three parts reliably.

`compose_sms()` decides what is sent:

1. typographic punctuation from word processors (curly quotes, dashes, ellipsis, non-
   breaking spaces) becomes its GSM-7 look-alike, so a pasted text does not triple in cost;
   letters are never changed (Dutch ë and ï are not GSM-7: a text with them is sent as
   UCS-2, spelled right);
2. the link is added after the text when both fit;
3. otherwise the text alone, when it fits: the text is the alert, the link is extra;
4. otherwise the text is shortened at a word with "..." (or "…" in UCS-2), and the link is
   kept when it takes at most a third of the room, as it is then the only way to read the
   rest.
"""

from __future__ import annotations

MAX_PARTS = 3

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

_GSM7_SINGLE, _GSM7_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 70, 67

_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "…": "...",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
    }
)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def _units(text: str) -> tuple[list[int], int, int]:
    """Per character, how many units it takes; and the single and per-part sizes."""
    if is_gsm7(text):
        return [2 if char in GSM7_EXTENDED else 1 for char in text], _GSM7_SINGLE, _GSM7_PART
    return [2 if ord(char) > 0xFFFF else 1 for char in text], _UCS2_SINGLE, _UCS2_PART


def sms_parts(text: str) -> int:
    """How many SMS parts `text` is sent as (0 for an empty text)."""
    units, single, per_part = _units(text)
    if not units:
        return 0
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for size in units:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return parts


def fits(text: str, max_parts: int = MAX_PARTS) -> bool:
    return sms_parts(text) <= max_parts


def compose_sms(text: str, url: str = "", max_parts: int = MAX_PARTS) -> str:
    """The SMS for a message with `text` and an optional `url` (see the module docstring)."""
    text = " ".join(text.translate(_TYPOGRAPHY).split())
    url = url.strip()
    if url:
        with_link = f"{text} {url}" if text else url
        if fits(with_link, max_parts):
            return with_link
    if fits(text, max_parts):
        return text
    per_part = _units(text + url)[2]
    suffix = f" {url}" if url and (len(url) + 1) * 3 <= per_part * max_parts else ""
    return _shorten(text, suffix, max_parts)


def _shorten(text: str, suffix: str, max_parts: int) -> str:
    """The longest start of `text`, cut at a word when one is near, with an ellipsis and
    `suffix`, that fits in `max_parts`."""
    ellipsis = "..." if is_gsm7(text + suffix) else "…"
    low, high = 0, len(text)  # text[:low] + ellipsis + suffix fits; text[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + ellipsis + suffix, max_parts):
            low = middle
        else:
            high = middle - 1
    start = text[:low]
    word_end = start.rfind(" ")
    if low < len(text) and word_end >= low - 20 and word_end > 0:
        start = start[:word_end]
    return start.rstrip() + ellipsis + suffix
