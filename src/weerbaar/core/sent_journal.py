"""The sent journal: a fast record, outside PostgreSQL, of every email that went out but
may not be marked SENT in the database yet.

The outbox marks a delivery SENT right after its send, so a worker that dies between the two
repeats at most that one email. Marking each row in its own committed UPDATE is most of
PostgreSQL's work in a large fan-out (decision 0015). With a journal, a worker writes one
Redis key per email right after the server accepted it (the window stays one command) and
marks the rows in PostgreSQL in batches. Whoever finds a row SENDING after its lease (the
redrive) asks the journal first: a journaled row went out and is marked SENT, not sent again.

Off unless OUTBOX_SENT_JOURNAL_URL names a Redis server; without it, and whenever Redis does
not answer, every row is marked on its own as before. A key lives a day: long after the
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

KEY = "weerbaar:outbox:sent:{}"
TIME_TO_LIVE = 24 * 60 * 60


class SentJournal:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def record(self, delivery_id: int) -> bool:
        """Note that `delivery_id` went out; False when Redis did not take it (the caller
        then marks the row in the database at once)."""
        try:
            self._client.set(KEY.format(delivery_id), b"1", ex=TIME_TO_LIVE)
        except redis.RedisError:
            logger.warning("sent journal unavailable; marking delivery %s directly", delivery_id)
            return False
        return True

    def recorded(self, delivery_ids: Iterable[int]) -> set[int]:
        """Those of `delivery_ids` that went out. Raises redis.RedisError when it cannot
        tell: the caller must not guess (guessing "not sent" sends twice, "sent" loses)."""
        ids = list(delivery_ids)
        if not ids:
            return set()
        values = self._client.mget([KEY.format(pk) for pk in ids])
        return {pk for pk, value in zip(ids, values, strict=True) if value is not None}

    def forget(self, delivery_ids: Iterable[int]) -> None:
        """The rows are marked SENT in the database; their keys are no longer needed."""
        keys = [KEY.format(pk) for pk in delivery_ids]
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
