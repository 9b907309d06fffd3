"""A thin typed client for the KvK Handelsregister APIs: Zoeken (v2) and Basisprofiel (v1).

`KvKClient` is the interface the rest of Weerbaar uses; `get_kvk_client()` returns the one
chosen by settings.KVK_CLIENT: `HttpKvKClient` talks to the real API (API key in the
`apikey` header, every call with settings.KVK_API_TIMEOUT), `FakeKvKClient` answers from a
small fixed set of fictional Breda businesses, for tests and the demo.

Every failure reaches the caller as one of three exceptions with a message for the user:
KvKInvalidInput (the question itself is wrong), KvKNotFound, KvKUnavailable (timeout,
connection error, error status, an answer that is not the expected JSON).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

KVK_NUMBER_RE = re.compile(r"^\d{8}$")
SEARCH_RESULTS_PER_PAGE = 10


# --- what the client returns ---------------------------------------------------------------


@dataclass(frozen=True)
class KvKAddress:
    street: str
    house_number: str
    house_number_addition: str
    postal_code: str
    city: str
    kind: str = ""  # "bezoekadres" or "postadres"

    def __str__(self) -> str:
        number = " ".join(p for p in (self.house_number, self.house_number_addition) if p)
        first = " ".join(p for p in (self.street, number) if p)
        second = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (first, second) if p)


@dataclass(frozen=True)
class KvKSearchResult:
    kvk_number: str
    establishment_number: str  # empty for a legal entity without establishments
    name: str
    kind: str  # "hoofdvestiging", "nevenvestiging" or "rechtspersoon"
    address: KvKAddress | None


@dataclass(frozen=True)
class KvKSbiActivity:
    code: str
    description: str
    is_main: bool


@dataclass(frozen=True)
class KvKProfile:
    """The basisprofiel of one registration, with its main establishment when it has one."""

    kvk_number: str
    name: str
    trade_names: tuple[str, ...] = ()
    sbi_activities: tuple[KvKSbiActivity, ...] = ()
    employee_count: int | None = None
    establishment_number: str = ""
    address: KvKAddress | None = None
    websites: tuple[str, ...] = ()
    legal_form: str = ""
    registered_on: str = ""  # yyyymmdd as the register gives it

    @property
    def main_activity(self) -> KvKSbiActivity | None:
        for activity in self.sbi_activities:
            if activity.is_main:
                return activity
        return self.sbi_activities[0] if self.sbi_activities else None


# --- errors --------------------------------------------------------------------------------


class KvKError(Exception):
    """Base of the client's errors; `message` is meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class KvKInvalidInput(KvKError, ValueError):
    """The question cannot be asked: a malformed KvK number, or no search term at all."""


class KvKNotFound(KvKError):
    """The register has no registration for this KvK number."""


class KvKUnavailable(KvKError):
    """The register did not give a usable answer: timeout, error status, garbage."""


def validate_kvk_number(kvk_number: str) -> str:
    number = (kvk_number or "").strip()
    if not KVK_NUMBER_RE.match(number):
        raise KvKInvalidInput(_("A KvK number has exactly 8 digits, such as 12345678."))
    return number


def _unavailable() -> KvKUnavailable:
    return KvKUnavailable(
        _("The KvK register cannot be reached right now. Try again in a few minutes.")
    )


def _not_found(kvk_number: str) -> KvKNotFound:
    return KvKNotFound(
        _("The KvK register has no business with KvK number %(number)s.") % {"number": kvk_number}
    )


# --- the interface -------------------------------------------------------------------------


@runtime_checkable
class KvKClient(Protocol):
    def search(
        self,
        *,
        kvk_number: str | None = None,
        name: str | None = None,
        place: str | None = None,
    ) -> list[KvKSearchResult]:
        """Registrations matching all given criteria (at most one page). Empty when none."""
        ...

    def basisprofiel(self, kvk_number: str) -> KvKProfile:
        """The basisprofiel of `kvk_number`; KvKNotFound when there is none."""
        ...


def _search_criteria(kvk_number: str | None, name: str | None, place: str | None) -> dict[str, str]:
    criteria: dict[str, str] = {}
    if kvk_number:
        criteria["kvkNummer"] = validate_kvk_number(kvk_number)
    if name and name.strip():
        criteria["naam"] = name.strip()
    if place and place.strip():
        criteria["plaats"] = place.strip()
    if not criteria:
        raise KvKInvalidInput(_("Enter a KvK number, a name or a place to search for."))
    return criteria


# --- parsing the API's JSON ----------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return str(value).strip()


def _address(data: Any) -> KvKAddress:
    if not isinstance(data, dict):
        raise ValueError("address is not an object")
    addition = " ".join(
        p for p in (_text(data.get("huisletter")), _text(data.get("huisnummerToevoeging"))) if p
    )
    return KvKAddress(
        street=_text(data.get("straatnaam")),
        house_number=_text(data.get("huisnummer")),
        house_number_addition=addition,
        postal_code=_text(data.get("postcode")),
        city=_text(data.get("plaats")),
        kind=_text(data.get("type")),
    )


def parse_search(payload: Any) -> list[KvKSearchResult]:
    """Zoeken v2: {"resultaten": [{"kvkNummer", "vestigingsnummer", "naam", "adres": {...}}]}."""
    try:
        results = payload["resultaten"]
        if not isinstance(results, list):
            raise ValueError("resultaten is not a list")
        parsed = []
        for item in results:
            address_data = (item.get("adres") or {}).get("binnenlandsAdres")
            parsed.append(
                KvKSearchResult(
                    kvk_number=_text(item["kvkNummer"]),
                    establishment_number=_text(item.get("vestigingsnummer")),
                    name=_text(item.get("naam")),
                    kind=_text(item.get("type")),
                    address=_address(address_data) if address_data else None,
                )
            )
        return parsed
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning("KvK Zoeken answered in an unexpected shape: %s", exc)
        raise _unexpected() from exc


def parse_basisprofiel(payload: Any) -> KvKProfile:
    """Basisprofiel v1, with `_embedded.hoofdvestiging` and `_embedded.eigenaar` when given."""
    try:
        embedded = payload.get("_embedded") or {}
        main = embedded.get("hoofdvestiging") or {}
        owner = embedded.get("eigenaar") or {}
        addresses = [_address(a) for a in main.get("adressen") or []]
        visiting = next((a for a in addresses if a.kind == "bezoekadres"), None)
        employees = payload.get("totaalWerkzamePersonen")
        if isinstance(employees, bool) or not isinstance(employees, int | None):
            raise ValueError("totaalWerkzamePersonen is not a number")
        return KvKProfile(
            kvk_number=_text(payload["kvkNummer"]),
            name=_text(payload.get("naam")),
            trade_names=tuple(_text(t.get("naam")) for t in payload.get("handelsnamen") or []),
            sbi_activities=tuple(
                KvKSbiActivity(
                    code=_text(a.get("sbiCode")),
                    description=_text(a.get("sbiOmschrijving")),
                    is_main=_text(a.get("indHoofdactiviteit")) == "Ja",
                )
                for a in payload.get("sbiActiviteiten") or []
            ),
            employee_count=employees,
            establishment_number=_text(main.get("vestigingsnummer")),
            address=visiting or (addresses[0] if addresses else None),
            websites=tuple(_text(w) for w in main.get("websites") or []),
            legal_form=_text(owner.get("uitgebreideRechtsvorm") or owner.get("rechtsvorm")),
            registered_on=_text(payload.get("formeleRegistratiedatum")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning("KvK Basisprofiel answered in an unexpected shape: %s", exc)
        raise _unexpected() from exc


def _unexpected() -> KvKUnavailable:
    return KvKUnavailable(
        _("The KvK register gave an answer that could not be read. Try again later.")
    )


# --- the real API --------------------------------------------------------------------------


class HttpKvKClient:
    """The KvK API over HTTPS. Every call has a timeout; nothing is retried in a request."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or requests.Session()

    def search(
        self,
        *,
        kvk_number: str | None = None,
        name: str | None = None,
        place: str | None = None,
    ) -> list[KvKSearchResult]:
        params = _search_criteria(kvk_number, name, place)
        params.update({"pagina": "1", "resultatenPerPagina": str(SEARCH_RESULTS_PER_PAGE)})
        try:
            payload = self._get("/v2/zoeken", params)
        except KvKNotFound:
            return []  # Zoeken answers 404 when nothing matches
        return parse_search(payload)

    def basisprofiel(self, kvk_number: str) -> KvKProfile:
        number = validate_kvk_number(kvk_number)
        try:
            payload = self._get(f"/v1/basisprofielen/{number}", {"geoData": "false"})
        except KvKNotFound:
            raise _not_found(number) from None
        return parse_basisprofiel(payload)

    def _get(self, path: str, params: dict[str, str]) -> Any:
        url = f"{self.base_url}{path}"
        try:
            response = self.session.get(
                url,
                params=params,
                headers={"apikey": self.api_key, "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            logger.warning("KvK API timed out after %ss: %s", self.timeout, path)
            raise KvKUnavailable(
                _("The KvK register did not answer in time. Try again in a few minutes.")
            ) from exc
        except requests.RequestException as exc:
            logger.warning("KvK API could not be reached: %s (%s)", path, exc)
            raise _unavailable() from exc
        if response.status_code == 404:
            raise KvKNotFound("not found")
        if response.status_code != 200:
            logger.warning("KvK API answered %s for %s", response.status_code, path)
            raise _unavailable()
        try:
            return response.json()
        except ValueError as exc:
            logger.warning("KvK API answered with something that is not JSON: %s", path)
            raise _unexpected() from exc


# --- the offline fake ----------------------------------------------------------------------


@dataclass
class FakeKvKClient:
    """Answers from a fixed set of fictional Breda businesses; never touches the network.

    The same question always gets the same answer, so tests and the demo can rely on it.
    """

    profiles: dict[str, KvKProfile] = field(default_factory=lambda: dict(_FAKE_PROFILES))

    def search(
        self,
        *,
        kvk_number: str | None = None,
        name: str | None = None,
        place: str | None = None,
    ) -> list[KvKSearchResult]:
        criteria = _search_criteria(kvk_number, name, place)
        results = []
        for profile in self.profiles.values():
            if "kvkNummer" in criteria and profile.kvk_number != criteria["kvkNummer"]:
                continue
            names = (profile.name, *profile.trade_names)
            if "naam" in criteria and not any(
                criteria["naam"].casefold() in n.casefold() for n in names
            ):
                continue
            city = profile.address.city if profile.address else ""
            if "plaats" in criteria and criteria["plaats"].casefold() != city.casefold():
                continue
            results.append(
                KvKSearchResult(
                    kvk_number=profile.kvk_number,
                    establishment_number=profile.establishment_number,
                    name=profile.name,
                    kind="hoofdvestiging",
                    address=profile.address,
                )
            )
        return results[:SEARCH_RESULTS_PER_PAGE]

    def basisprofiel(self, kvk_number: str) -> KvKProfile:
        number = validate_kvk_number(kvk_number)
        try:
            return self.profiles[number]
        except KeyError:
            raise _not_found(number) from None


def _fake(
    kvk_number: str,
    establishment_number: str,
    name: str,
    sbi: tuple[str, str],
    street: str,
    number: str,
    postal_code: str,
    employees: int,
    legal_form: str,
) -> KvKProfile:
    return KvKProfile(
        kvk_number=kvk_number,
        name=name,
        trade_names=(name,),
        sbi_activities=(KvKSbiActivity(code=sbi[0], description=sbi[1], is_main=True),),
        employee_count=employees,
        establishment_number=establishment_number,
        address=KvKAddress(street, number, "", postal_code, "Breda", "bezoekadres"),
        legal_form=legal_form,
        registered_on="20150301",
    )


# Fictional businesses; the first rows of network/samples/voorbeeld-kvk-export.csv.
_FAKE_PROFILES: dict[str, KvKProfile] = {
    profile.kvk_number: profile
    for profile in (
        _fake(
            "90412345",
            "000051234567",
            "Bakkerij Het Gouden Korenaar",
            ("1071", "Brood- en banketbakkerijen"),
            "Ginnekenstraat",
            "14",
            "4811 JH",
            6,
            "Eenmanszaak",
        ),
        _fake(
            "90412346",
            "000051234568",
            "Juwelier Sterrenhoek",
            ("4777", "Winkels in uurwerken, juweliersartikelen en edelsmeedwerk"),
            "Eindstraat",
            "3",
            "4811 KK",
            4,
            "Besloten Vennootschap",
        ),
        _fake(
            "90412347",
            "000051234569",
            "Café De Vier Winden",
            ("5630", "Cafés"),
            "Havermarkt",
            "22",
            "4811 WL",
            12,
            "Vennootschap onder firma",
        ),
        _fake(
            "90412348",
            "000051234570",
            "Transport Voorbeeld Hazeldonk B.V.",
            ("4941", "Goederenvervoer over de weg"),
            "Hazeldonk",
            "6420",
            "4836 LG",
            48,
            "Besloten Vennootschap",
        ),
        _fake(
            "90412349",
            "000051234571",
            "Fietsenmaker De Spaak",
            ("4764", "Winkels in sportartikelen en fietsen"),
            "Haagweg",
            "301",
            "4813 XD",
            3,
            "Eenmanszaak",
        ),
    )
}


# --- choosing the client -------------------------------------------------------------------

CLIENT_KINDS = ("http", "fake")


def get_kvk_client() -> KvKClient:
    """The client settings.KVK_CLIENT asks for ('http' or 'fake')."""
    kind = settings.KVK_CLIENT
    if kind == "http":
        if not settings.KVK_API_KEY:
            raise ImproperlyConfigured("KVK_CLIENT is 'http' but KVK_API_KEY is empty.")
        return HttpKvKClient(
            base_url=settings.KVK_API_BASE_URL,
            api_key=settings.KVK_API_KEY,
            timeout=settings.KVK_API_TIMEOUT,
        )
    if kind == "fake":
        return FakeKvKClient()
    raise ImproperlyConfigured(f"KVK_CLIENT must be one of {CLIENT_KINDS}, not {kind!r}.")
