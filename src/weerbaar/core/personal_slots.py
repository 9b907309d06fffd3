"""Personal slots: a reserved word in a message's shared text that each recipient sees
replaced by something of their own, such as their own unsubscribe link.

A message is rendered once for all its recipients (a fan-out to 100,000 people renders one
text, not 100,000), and the email channel serialises it once (core.channels). A module that
wants something personal in that text registers a slot, from its AppConfig.ready(): a word
that cannot occur in ordinary text, and a function that gives one delivery's value for it.
Templates write the slot where the value belongs; whatever shows the text to one person
fills it in: the email channel per delivery, the portal inbox, web push.

A value must be URL-safe ASCII (`SAFE_VALUE`): it goes into plain text, HTML text and HTML
attributes alike without escaping, and into a serialised 8bit MIME part as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weerbaar.core.models import Delivery

__all__ = [
    "SAFE_VALUE",
    "fill_slots",
    "register_personal_slot",
    "slot_values",
    "slots_in",
    "without_slots",
]

# Not starting with a dot: a slot may begin a line, and such lines are dot-stuffed before.
SAFE_VALUE = re.compile(r"(?!\.)[A-Za-z0-9._~:/%-]*")
SLOT_WORD = re.compile(r"[a-z0-9]+(-[a-z0-9]+){2,}")

Fill = Callable[["Delivery"], str]
_SLOTS: dict[str, Fill] = {}


def register_personal_slot(slot: str, fill: Fill) -> str:
    """Make `slot` (lower-case words joined by hyphens, at least three) stand for
    `fill(delivery)` in every message text; returns the slot, for templates."""
    if not SLOT_WORD.fullmatch(slot):
        raise ValueError(f"a personal slot is three or more lower-case words joined by -: {slot}")
    registered = _SLOTS.get(slot)
    if registered is not None and registered is not fill:
        raise ValueError(f"personal slot {slot!r} is registered already")
    _SLOTS[slot] = fill
    return slot


def slots_in(*texts: str) -> list[str]:
    """The registered slots that occur in any of `texts`."""
    return [slot for slot in _SLOTS if any(slot in text for text in texts)]


def slot_values(delivery: Delivery, slots: Iterable[str]) -> dict[str, str]:
    """The value of each of `slots` for `delivery`. Raises ValueError for a value that is
    not URL-safe ASCII: a programming error in the slot's function."""
    values = {}
    for slot in slots:
        value = _SLOTS[slot](delivery)
        if not SAFE_VALUE.fullmatch(value):
            raise ValueError(f"personal slot {slot!r} gave a value that is not URL-safe")
        values[slot] = value
    return values


def fill_slots(delivery: Delivery, text: str) -> str:
    """`text` as the recipient of `delivery` sees it."""
    for slot, value in slot_values(delivery, slots_in(text)).items():
        text = text.replace(slot, value)
    return text


def without_slots(text: str) -> str:
    """`text` for no one in particular (a push notification's fallback text): the slots
    left out."""
    for slot in slots_in(text):
        text = text.replace(slot, "")
    return text
