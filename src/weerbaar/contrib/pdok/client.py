"""A thin typed client for the PDOK Locatieserver (v3_1, public, no key): address suggestions.

`PdokClient` is the interface the rest of Weerbaar uses; `get_client()` returns the one chosen
by settings.PDOK_CLIENT: `HttpPdokClient` asks the `free` endpoint (every call with
settings.PDOK_TIMEOUT_SECONDS), `FakePdokClient` answers from samples/free_adres.json, for
tests and the demo.

Every failure of the service (timeout, connection error, error status, an answer that is not
the documented JSON) reaches the caller as `PdokUnavailable`; a single suggestion that lacks
its id or label is left out. What a person typed is an address they may be reporting from, so
it is never logged: log lines name the kind of failure only.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MIN_QUERY_LENGTH = 3
MAX_QUERY_LENGTH = 100
MAX_SUGGESTIONS = 7
FIELDS = "id,weergavenaam,gemeentenaam,postcode,centroide_ll"
SAMPLE_FILE = Path(__file__).parent / "samples" / "free_adres.json"

# "POINT(4.77580 51.58873)": longitude first, as WKT has it.
_POINT_RE = re.compile(
    r"^\s*POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class AddressSuggestion:
    id: str
    label: str  # weergavenaam, e.g. "Grote Markt 38, 4811XS Breda"
    municipality: str
    postal_code: str
    latitude: float | None = None
    longitude: float | None = None


class PdokError(Exception):
    """Base of the client's errors; `message` is meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PdokInvalidInput(PdokError, ValueError):
    """The question cannot be asked: longer than MAX_QUERY_LENGTH."""


class PdokUnavailable(PdokError):
    """The Locatieserver did not give a usable answer: timeout, error status, garbage."""


def _unavailable() -> PdokUnavailable:
    return PdokUnavailable(
        _("Address search is not available right now. Type the address in the field below.")
    )


def normalise_query(query: str) -> str:
    """The query as asked: stripped and with single spaces; PdokInvalidInput when too long."""
    text = " ".join((query or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise PdokInvalidInput(
            _("Type at most %(count)d characters to search for an address.")
            % {"count": MAX_QUERY_LENGTH}
        )
    return text


def parse_point(value: Any) -> tuple[float, float] | None:
    """WKT "POINT(lon lat)" as (latitude, longitude); None when absent or not a sane point."""
    if not isinstance(value, str):
        return None
    match = _POINT_RE.match(value)
    if match is None:
        return None
    longitude, latitude = float(match.group(1)), float(match.group(2))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_free(payload: Any) -> list[AddressSuggestion]:
    """A `free` answer {"response": {"docs": [...]}} as suggestions (at most MAX_SUGGESTIONS).

    PdokUnavailable when the answer as a whole has another shape; a doc without id or
    weergavenaam is skipped, a missing or odd centroide_ll leaves the point empty.
    """
    try:
        docs = payload["response"]["docs"]
        if not isinstance(docs, list):
            raise TypeError("docs is not a list")
    except (KeyError, TypeError) as exc:
        logger.warning("PDOK Locatieserver answered in an unexpected shape: %s", type(exc).__name__)
        raise _unavailable() from exc
    suggestions = []
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        identifier, label = _text(doc.get("id")), _text(doc.get("weergavenaam"))
        if not identifier or not label:
            continue
        point = parse_point(doc.get("centroide_ll"))
        suggestions.append(
            AddressSuggestion(
                id=identifier,
                label=label,
                municipality=_text(doc.get("gemeentenaam")),
                postal_code=_text(doc.get("postcode")),
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
            )
        )
    return suggestions[:MAX_SUGGESTIONS]


@runtime_checkable
class PdokClient(Protocol):
    def suggest(self, query: str) -> list[AddressSuggestion]:
        """Addresses matching `query`; [] when it is shorter than MIN_QUERY_LENGTH."""
        ...


class HttpPdokClient:
    """The Locatieserver over HTTPS. Every call has a timeout; nothing is retried in a request."""

    def __init__(
        self, base_url: str, timeout: float, session: requests.Session | None = None
    ) -> None:
        self.url = base_url.rstrip("/") + "/free"
        self.timeout = timeout
        self.session = session or requests.Session()

    def suggest(self, query: str) -> list[AddressSuggestion]:
        text = normalise_query(query)
        if len(text) < MIN_QUERY_LENGTH:
            return []
        params = {"q": text, "fq": "type:adres", "rows": str(MAX_SUGGESTIONS), "fl": FIELDS}
        try:
            response = self.session.get(
                self.url,
                params=params,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            logger.warning("PDOK Locatieserver timed out after %ss", self.timeout)
            raise _unavailable() from exc
        except requests.RequestException as exc:
            # str(exc) can hold the URL and so the query: name the kind of failure only.
            logger.warning("PDOK Locatieserver could not be reached: %s", type(exc).__name__)
            raise _unavailable() from exc
        if response.status_code != 200:
            logger.warning("PDOK Locatieserver answered %s", response.status_code)
            raise _unavailable()
        try:
            payload = response.json()
        except ValueError as exc:
            logger.warning("PDOK Locatieserver answered with something that is not JSON")
            raise _unavailable() from exc
        return parse_free(payload)


@cache
def _sample_docs() -> tuple[dict[str, Any], ...]:
    payload = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    return tuple(payload["response"]["docs"])


def _squash(text: str) -> str:
    return "".join(text.casefold().split())


class FakePdokClient:
    """Answers from samples/free_adres.json (Breda, Delft, Westland, Wijdemeren); offline.

    A sample address matches when every word of the query occurs in its label, ignoring case
    and spaces, so "4811 dj" finds "4811DJ". The same question always gets the same answer.
    """

    def suggest(self, query: str) -> list[AddressSuggestion]:
        text = normalise_query(query)
        if len(text) < MIN_QUERY_LENGTH:
            return []
        words = [_squash(word) for word in text.split()]
        docs = [
            doc
            for doc in _sample_docs()
            if all(word in _squash(str(doc.get("weergavenaam", ""))) for word in words)
        ]
        return parse_free({"response": {"numFound": len(docs), "docs": docs}})


CLIENT_KINDS = ("http", "fake")


def get_client() -> PdokClient:
    """The client settings.PDOK_CLIENT asks for ('http' or 'fake')."""
    kind = settings.PDOK_CLIENT
    if kind == "http":
        return HttpPdokClient(
            base_url=settings.PDOK_LOCATIESERVER_URL, timeout=settings.PDOK_TIMEOUT_SECONDS
        )
    if kind == "fake":
        return FakePdokClient()
    raise ImproperlyConfigured(f"PDOK_CLIENT must be one of {CLIENT_KINDS}, not {kind!r}.")
