"""The sent journal: a fast record, outside PostgreSQL, of every email that went out but
may not be marked SENT in the database yet.

Without it, the outbox marks each delivery SENT in its own committed UPDATE right after its
send; that is most of PostgreSQL's work in a large fan-out (decision 0015). With it, a worker
writes one Redis key per attempt (delivery id and attempt number) and marks the rows in
PostgreSQL in batches. The email channel has the key written at the commit point, just
before the server can take the message (decision 0016, core.smtp_lockstep); other channels
right after the send. Whoever finds a row SENDING after its lease (the redrive) asks the
journal for that attempt first: a noted attempt went out and is marked SENT, not sent again.

Off unless OUTBOX_SENT_JOURNAL_URL names a Redis server; without it, and whenever Redis does
not answer, every row is marked on its own after its send. A key lives a day: long after the
lease (minutes) by which the redrive has asked.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from functools import lru_cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

KEY = "weerbaar:outbox:sent:{}:{}"  # delivery id, attempt
TIME_TO_LIVE = 24 * 60 * 60

# One attempt at sending one delivery: (delivery id, the delivery's `attempts` while it was
# being sent). Keyed by attempt, so the note of an attempt that the mail server refused after
# all cannot make a later attempt of the same delivery count as sent.
Attempt = tuple[int, int]


class SentJournal:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def record(self, attempts: Iterable[Attempt]) -> bool:
        """Note that these attempts went out (or are about to: the outbox notes an email
        just before the mail server can accept it), in one round trip; False when Redis did
        not take them (the caller then marks the rows in the database itself)."""
        keys = [KEY.format(*attempt) for attempt in attempts]
        if not keys:
            return True
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(key, b"1", ex=TIME_TO_LIVE)
                pipe.execute()
        except redis.RedisError:
            logger.warning("sent journal unavailable; marking %d deliveries directly", len(keys))
            return False
        return True

    def recorded(self, attempts: Iterable[Attempt]) -> set[int]:
        """The delivery ids of those `attempts` that went out. Raises redis.RedisError when
        it cannot tell: the caller must not guess (guessing "not sent" sends twice, "sent"
        loses)."""
        wanted = list(attempts)
        if not wanted:
            return set()
        values = self._client.mget([KEY.format(*attempt) for attempt in wanted])
        return {pk for (pk, _), value in zip(wanted, values, strict=True) if value is not None}

    def forget(self, attempts: Iterable[Attempt]) -> None:
        """The rows are marked SENT in the database; their notes are no longer needed."""
        keys = [KEY.format(*attempt) for attempt in attempts]
        if not keys:
            return
        with contextlib.suppress(redis.RedisError):  # if not, they expire by themselves
            self._client.delete(*keys)


@lru_cache(maxsize=4)
def _journal_for(url: str) -> SentJournal:
    return SentJournal(url)


def sent_journal() -> SentJournal | None:
    """The journal of this process, or None when it is switched off."""
    url = settings.OUTBOX_SENT_JOURNAL_URL
    return _journal_for(url) if url else None
