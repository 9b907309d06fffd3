"""The places of the demo data: four municipalities from the seeds, their areas, streets,
postal codes and phone prefixes. Plain data; `demo.py` turns it into rows.

Postal codes follow the real place: most of Breda is 4811-4839, but the village of
Ulvenhout has 4851; Wijdemeren's kernen are 1231-1244 and Nederhorst den Berg 1394.
"""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar.network.models import AreaKind


@dataclass(frozen=True)
class DemoArea:
    name: str
    kind: AreaKind
    city: str
    postal_prefixes: tuple[int, ...]
    streets: tuple[str, ...]
    businesses: int
    description: str = ""
    # Sector mix key (see demo_sectors.MIXES); defaults to one chosen by the area kind.
    mix: str = ""


@dataclass(frozen=True)
class DemoMunicipality:
    name: str
    slug: str
    cbs_code: str
    network_name: str
    introduction: str
    contact_email: str
    phone_prefix: str
    police_unit: str
    fire_brigade: str
    areas: tuple[DemoArea, ...]


R, B, V, D = AreaKind.RETAIL_AREA, AreaKind.BUSINESS_PARK, AreaKind.VILLAGE_CORE, AreaKind.DISTRICT

MUNICIPALITIES: tuple[DemoMunicipality, ...] = (
    DemoMunicipality(
        name="Breda",
        slug="breda",
        cbs_code="GM0758",
        network_name="Veilig Ondernemend Breda",
        introduction=(
            "Veilig Ondernemend Breda verbindt ondernemers, gemeente, politie en partners. "
            "Samen werken we aan een veilig vestigingsklimaat: tegen ondermijning, "
            "cybercriminaliteit en high impact crimes zoals overvallen en inbraken."
        ),
        contact_email="veiligondernemen@breda.weerbaar.demo",
        phone_prefix="076",
        police_unit="Politie eenheid Zeeland-West-Brabant",
        fire_brigade="Brandweer Midden- en West-Brabant",
        areas=(
            DemoArea(
                "Binnenstad",
                R,
                "Breda",
                (4811,),
                (
                    "Ginnekenstraat",
                    "Eindstraat",
                    "Havermarkt",
                    "Grote Markt",
                    "Veemarktstraat",
                    "Boschstraat",
                    "Karrestraat",
                    "Halstraat",
                    "Torenstraat",
                    "Lange Brugstraat",
                    "Ridderstraat",
                    "Reigerstraat",
                ),
                44,
                "Het kernwinkelgebied rond de Grote Markt, met een BIZ en winkelstraten.",
            ),
            DemoArea(
                "Hazeldonk",
                B,
                "Breda",
                (4836,),
                ("Hazeldonk", "Meerdonk", "Zuidweg"),
                18,
                "Logistiek bedrijventerrein aan de Belgische grens.",
            ),
            DemoArea(
                "Princenhage",
                D,
                "Breda",
                (4813, 4814),
                ("Haagweg", "Haagsemarkt", "Ettensebaan", "Liesbosstraat", "Dreef"),
                14,
            ),
            DemoArea(
                "Ulvenhout",
                V,
                "Ulvenhout",
                (4851,),
                ("Dorpstraat", "Annevillelaan", "Pastoor Erasplein", "Chaamseweg"),
                12,
            ),
            DemoArea(
                "Emer",
                B,
                "Breda",
                (4814,),
                ("Emerweg", "Industrieweg", "Terheijdenseweg"),
                11,
            ),
            DemoArea(
                "Steenakker",
                B,
                "Breda",
                (4823,),
                ("Kapittelweg", "Steenakker", "Markweg"),
                11,
            ),
            DemoArea(
                "Hoogeind",
                B,
                "Breda",
                (4823,),
                ("Hoogeindsestraat", "Bijster", "Mosten"),
                10,
            ),
        ),
    ),
    DemoMunicipality(
        name="Wijdemeren",
        slug="wijdemeren",
        cbs_code="GM1696",
        network_name="Veilig Ondernemen Wijdemeren",
        introduction=(
            "In de zes kernen van Wijdemeren werken ondernemers, de ondernemersmanager van de "
            "gemeente, de politie en Ondernemend Wijdemeren samen aan een veilig "
            "ondernemersklimaat."
        ),
        contact_email="ondernemersloket@wijdemeren.weerbaar.demo",
        phone_prefix="035",
        police_unit="Politie eenheid Midden-Nederland",
        fire_brigade="Brandweer Gooi en Vechtstreek",
        areas=(
            DemoArea("Ankeveen", V, "Ankeveen", (1244,), ("Stichts End", "Cornelis Drebbelweg"), 7),
            DemoArea("Breukeleveen", V, "Breukeleveen", (1234,), ("Herenweg", "Bosdijk"), 5),
            DemoArea(
                "Kortenhoef",
                V,
                "Kortenhoef",
                (1241,),
                ("Kortenhoefsedijk", "Meenthof", "Koninginneweg", "Moleneind"),
                11,
            ),
            DemoArea(
                "Loosdrecht",
                V,
                "Loosdrecht",
                (1231, 1232),
                ("Rading", "Oud-Loosdrechtsedijk", "Nieuw-Loosdrechtsedijk", "Veendijk"),
                16,
            ),
            DemoArea(
                "Nederhorst den Berg",
                V,
                "Nederhorst den Berg",
                (1394,),
                ("Dammerweg", "Middenweg", "Overmeerseweg", "Kerkstraat"),
                10,
            ),
            DemoArea(
                "'s-Graveland",
                V,
                "'s-Graveland",
                (1243,),
                ("Noordereinde", "Zuidereinde", "Leeuwenlaan"),
                8,
            ),
        ),
    ),
    DemoMunicipality(
        name="Westland",
        slug="westland",
        cbs_code="GM1783",
        network_name="Veilig Ondernemen Westland",
        introduction=(
            "Gemeente Westland, de hulpdiensten, de BIZ-en en MKB Westland werken samen aan "
            "veilige centra en bedrijventerreinen, van Naaldwijk tot de glastuinbouw."
        ),
        contact_email="veiligondernemen@westland.weerbaar.demo",
        phone_prefix="0174",
        police_unit="Politie eenheid Den Haag",
        fire_brigade="Brandweer Haaglanden",
        areas=(
            DemoArea(
                "Naaldwijk Centrum",
                R,
                "Naaldwijk",
                (2671,),
                ("Havenstraat", "Wilhelminastraat", "Verdilaan", "Markt", "Molenstraat"),
                18,
            ),
            DemoArea(
                "'s-Gravenzande Centrum",
                R,
                "'s-Gravenzande",
                (2691,),
                ("Langestraat", "Marktplein", "Koningin Julianaweg"),
                12,
            ),
            DemoArea(
                "Honselersdijk",
                V,
                "Honselersdijk",
                (2675,),
                ("Dorpsstraat", "Endeldijk", "Kwintsheul"),
                12,
                mix="westland_village",
            ),
            DemoArea(
                "Poeldijk",
                V,
                "Poeldijk",
                (2685,),
                ("Voorstraat", "Monsterseweg", "Julianastraat"),
                12,
                mix="westland_village",
            ),
            DemoArea(
                "Glastuinbouwgebied Honderdland",
                B,
                "Maasdijk",
                (2676,),
                ("Honderdland", "Maasdijkseweg", "Zwethlaan"),
                16,
                "Bedrijventerrein en glastuinbouw tussen Maasdijk en 's-Gravenzande.",
                mix="greenhouse",
            ),
        ),
    ),
    DemoMunicipality(
        name="Delft",
        slug="delft",
        cbs_code="GM0503",
        network_name="Veilig Ondernemen Delft",
        introduction=(
            "In Delft werken ondernemers in de binnenstad en op de bedrijventerreinen samen "
            "met de gemeente, de politie en partners aan een veilige stad om te ondernemen."
        ),
        contact_email="ondernemen@delft.weerbaar.demo",
        phone_prefix="015",
        police_unit="Politie eenheid Den Haag",
        fire_brigade="Brandweer Haaglanden",
        areas=(
            DemoArea(
                "Binnenstad",
                R,
                "Delft",
                (2611,),
                (
                    "Markt",
                    "Oude Delft",
                    "Choorstraat",
                    "Brabantse Turfmarkt",
                    "Wijnhaven",
                    "Hippolytusbuurt",
                    "Jacob Gerritstraat",
                    "Voldersgracht",
                ),
                32,
            ),
            DemoArea(
                "Technopolis",
                B,
                "Delft",
                (2628, 2629),
                ("Molengraaffsingel", "Heertjeslaan", "Schoemakerstraat", "Mekelweg"),
                16,
                mix="technopolis",
            ),
            DemoArea(
                "Schieoevers",
                B,
                "Delft",
                (2622, 2627),
                ("Rotterdamseweg", "Kleveringweg", "Schieweg", "Kanaalweg"),
                18,
            ),
        ),
    ),
)

# Letters of Dutch postal codes (PostNL does not use SA, SD and SS).
POSTAL_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
FORBIDDEN_POSTAL_SUFFIXES = frozenset({"SA", "SD", "SS"})
