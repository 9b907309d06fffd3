"""The development SMS gateway: logs each message and keeps the last ones in memory.

Nothing leaves the machine. The log line shows the number masked but for its last three
digits; the text is logged whole, as Django's console email backend prints whole emails.
`sent_messages` (newest last, at most KEEP) lets tests and the demo see what was "sent";
it lives in the process, so a Celery worker's messages are in the worker.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from weerbaar.contrib.sms.phone import mask_phone

logger = logging.getLogger(__name__)

KEEP = 100


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str
    reference: str
    provider_id: str
    sent_at: datetime = field(default_factory=timezone.now)


sent_messages: deque[SentSms] = deque(maxlen=KEEP)
_ids = itertools.count(1)


def clear() -> None:
    """Forget the remembered messages (between tests)."""
    sent_messages.clear()


class ConsoleSmsGateway:
    def send(self, to: str, text: str, reference: str) -> str:
        provider_id = f"console-{next(_ids)}"
        sent_messages.append(SentSms(to, text, reference, provider_id))
        logger.info("SMS to %s (%s, %d characters): %s", mask_phone(to), reference, len(text), text)
        return provider_id

    def close(self) -> None:
        pass
