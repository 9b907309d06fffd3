"""Organisations and the printed demo logins. Plain data; `demo.py` turns it into rows."""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar.accounts.models import OrganisationKind, Role, StaffFunction

K = OrganisationKind

PLATFORM_OPERATOR = "Weerbaar platformbeheer"
CCV = "Centrum voor Criminaliteitspreventie en Veiligheid (CCV)"
BIZ_BREDA = "BIZ Binnenstad Breda"
BIZ_GRAVENZANDE = "BIZ 's-Gravenzande"


def oov(municipality: str) -> str:
    return f"Gemeente {municipality} – OOV"


def ez(municipality: str) -> str:
    return f"Gemeente {municipality} – EZ"


# (name, kind, municipality slug or "" for regional organisations, email)
ORGANISATIONS: tuple[tuple[str, OrganisationKind, str, str], ...] = (
    (PLATFORM_OPERATOR, K.PLATFORM_OPERATOR, "", "beheer@weerbaar.demo"),
    *(
        entry
        for name, slug in (
            ("Breda", "breda"),
            ("Wijdemeren", "wijdemeren"),
            ("Westland", "westland"),
            ("Delft", "delft"),
        )
        for entry in (
            (oov(name), K.MUNICIPALITY, slug, f"oov@{slug}.weerbaar.demo"),
            (ez(name), K.MUNICIPALITY, slug, f"ez@{slug}.weerbaar.demo"),
        )
    ),
    ("Politie eenheid Zeeland-West-Brabant", K.POLICE, "", ""),
    ("Politie eenheid Den Haag", K.POLICE, "", ""),
    ("Politie eenheid Midden-Nederland", K.POLICE, "", ""),
    ("Brandweer Midden- en West-Brabant", K.FIRE_BRIGADE, "", ""),
    ("Brandweer Haaglanden", K.FIRE_BRIGADE, "", ""),
    ("Brandweer Gooi en Vechtstreek", K.FIRE_BRIGADE, "", ""),
    (
        BIZ_BREDA,
        K.BUSINESS_IMPROVEMENT_DISTRICT,
        "breda",
        "info@biz-binnenstad-breda.weerbaar.demo",
    ),
    (BIZ_GRAVENZANDE, K.BUSINESS_IMPROVEMENT_DISTRICT, "westland", ""),
    ("Ondernemend Wijdemeren", K.BUSINESS_ASSOCIATION, "wijdemeren", ""),
    ("MKB Westland", K.BUSINESS_ASSOCIATION, "westland", "info@mkbwestland.weerbaar.demo"),
    ("Ondernemersvereniging Hazeldonk", K.BUSINESS_ASSOCIATION, "breda", ""),
    (CCV, K.CCV, "", "info@ccv.weerbaar.demo"),
    ("Platform Veilig Ondernemen Brabant", K.REGIONAL_SAFETY_PLATFORM, "", ""),
    ("Platform Veilig Ondernemen Zuid-Holland", K.REGIONAL_SAFETY_PLATFORM, "", ""),
)


@dataclass(frozen=True)
class DemoLogin:
    """A printed demo account. Staff accounts get a membership; the others are linked to
    a generated business (and, for the ambassador, to an area) by `demo.py`."""

    label: str  # role as printed in the table
    email: str
    full_name: str
    role: Role
    organisation: str = ""
    function: StaffFunction = StaffFunction.OTHER
    municipalities: tuple[str, ...] = ()  # slugs
    areas: tuple[tuple[str, str], ...] = ()  # (municipality slug, area name)
    # Designated for confidential (undermining) reports: police and OOV only.
    handles_confidential_reports: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role not in (Role.ENTREPRENEUR, Role.AMBASSADOR)


ALL_MUNICIPALITIES = ("breda", "wijdemeren", "westland", "delft")

STAFF_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "Platform administrator",
        "beheer@weerbaar.demo",
        "Bea Beheerder",
        Role.PLATFORM_ADMIN,
        PLATFORM_OPERATOR,
        StaffFunction.ADMINISTRATOR,
    ),
    DemoLogin(
        "Municipal staff, OOV Breda",
        "oov@breda.weerbaar.demo",
        "Olga Oomen",
        Role.MUNICIPAL_STAFF,
        oov("Breda"),
        StaffFunction.PUBLIC_ORDER_SAFETY,
        ("breda",),
        handles_confidential_reports=True,
    ),
    DemoLogin(
        "Ondernemersmanager Wijdemeren",
        "ondernemersmanager@wijdemeren.weerbaar.demo",
        "Wouter Wijnands",
        Role.MUNICIPAL_STAFF,
        ez("Wijdemeren"),
        StaffFunction.BUSINESS_MANAGER,
        ("wijdemeren",),
    ),
    DemoLogin(
        "Municipal staff, EZ Westland",
        "ez@westland.weerbaar.demo",
        "Esmée van Wijk",
        Role.MUNICIPAL_STAFF,
        ez("Westland"),
        StaffFunction.ECONOMIC_AFFAIRS,
        ("westland",),
    ),
    DemoLogin(
        "Police, wijkagent Breda Binnenstad",
        "wijkagent@politie.weerbaar.demo",
        "Wim Wagenaar",
        Role.POLICE,
        "Politie eenheid Zeeland-West-Brabant",
        StaffFunction.COMMUNITY_OFFICER,
        areas=(("breda", "Binnenstad"),),
    ),
    DemoLogin(
        "Police, team Ondermijning Breda",
        "ondermijning@politie.weerbaar.demo",
        "Roos Rietveld",
        Role.POLICE,
        "Politie eenheid Zeeland-West-Brabant",
        StaffFunction.OTHER,
        ("breda",),
        handles_confidential_reports=True,
    ),
    DemoLogin(
        "Police business liaison Westland and Delft",
        "bedrijfscontact@politie.weerbaar.demo",
        "Bart Boogaard",
        Role.POLICE,
        "Politie eenheid Den Haag",
        StaffFunction.POLICE_BUSINESS_LIAISON,
        ("westland", "delft"),
        handles_confidential_reports=True,
    ),
    DemoLogin(
        "Partner expert (CCV)",
        "expert@ccv.weerbaar.demo",
        "Carolien Cremers",
        Role.PARTNER_EXPERT,
        CCV,
        StaffFunction.ADVISER,
        ALL_MUNICIPALITIES,
    ),
)

AMBASSADOR_LOGIN = DemoLogin(
    "Ambassador Breda Binnenstad",
    "ambassadeur@breda.weerbaar.demo",
    "Anouk Aarts",
    Role.AMBASSADOR,
    areas=(("breda", "Binnenstad"),),
)
ENTREPRENEUR_LOGIN = DemoLogin(
    "Entrepreneur Breda Binnenstad",
    "ondernemer@breda.weerbaar.demo",
    "Erik Evers",
    Role.ENTREPRENEUR,
    areas=(("breda", "Binnenstad"),),
)

DEMO_LOGINS: tuple[DemoLogin, ...] = (*STAFF_LOGINS, AMBASSADOR_LOGIN, ENTREPRENEUR_LOGIN)

# Shared by every demo account and printed by the command. Demo settings only.
DEMO_PASSWORD = "Weerbaar-demo-2026"  # noqa: S105 - a published demo password, by design
