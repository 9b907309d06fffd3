"""Sectors, trade names and people's names for the demo data. Plain data.

A trade name template holds `{surname}`, `{word}` (a descriptive name such as
"De Korenbloem") and/or `{city}`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Activity:
    sbi_code: str
    description: str
    names: tuple[str, ...]
    employees: tuple[int, int]


RETAIL = (
    Activity("4711", "Supermarkten", ("Supermarkt {surname}", "Buurtsuper {word}"), (12, 60)),
    Activity(
        "4721",
        "Winkels in aardappelen, groenten en fruit",
        ("Groentehal {surname}", "Groente & Fruit {word}"),
        (2, 8),
    ),
    Activity("4722", "Winkels in vlees en vleeswaren", ("Slagerij {surname}",), (2, 9)),
    Activity(
        "4724",
        "Winkels in brood, banket, chocolade en suikerwerk",
        ("Bakkerij {surname}", "Bakkerij {word}", "Banketbakkerij {surname}"),
        (3, 14),
    ),
    Activity("4761", "Winkels in boeken", ("Boekhandel {word}", "Boekhandel {surname}"), (2, 9)),
    Activity(
        "4764",
        "Winkels in sportartikelen en fietsen",
        ("Fietsenmaker {word}", "Sport {surname}"),
        (2, 8),
    ),
    Activity("4771", "Winkels in kleding", ("Modehuis {surname}", "Boutique {word}"), (2, 12)),
    Activity("4772", "Winkels in schoenen en lederwaren", ("Schoenenhuis {surname}",), (2, 7)),
    Activity("4775", "Drogisterijen", ("Drogisterij {surname}", "Drogisterij {city}"), (3, 10)),
    Activity(
        "4776",
        "Winkels in bloemen en planten",
        ("Bloemenhuis {word}", "Bloemist {surname}"),
        (1, 5),
    ),
    Activity(
        "4777",
        "Winkels in uurwerken, juweliersartikelen en edelsmeedwerk",
        ("Juwelier {surname}", "Juwelier {word}"),
        (1, 6),
    ),
    Activity("4741", "Winkels in computers en software", ("Computerwinkel {word}",), (2, 6)),
)

HOSPITALITY = (
    Activity(
        "5610",
        "Restaurants",
        ("Restaurant {word}", "Eetcafé {word}", "Brasserie {surname}"),
        (4, 25),
    ),
    Activity("5630", "Cafés", ("Café {word}", "Grand Café {word}"), (3, 18)),
    Activity("5510", "Hotels", ("Hotel {word}", "Hotel {city}"), (8, 40)),
    Activity("5621", "Eventcatering", ("Catering {surname}",), (3, 15)),
    Activity("5611", "Lunchrooms", ("Lunchroom {word}",), (2, 8)),
)

TRANSPORT = (
    Activity(
        "4941",
        "Goederenvervoer over de weg",
        ("Transport {surname} B.V.", "Transportbedrijf {surname}"),
        (8, 80),
    ),
    Activity("4932", "Taxivervoer", ("Taxi {city}", "Taxibedrijf {surname}"), (3, 20)),
    Activity("4942", "Verhuisvervoer", ("Verhuisbedrijf {surname}",), (4, 25)),
)

CONSTRUCTION = (
    Activity(
        "4120",
        "Algemene burgerlijke en utiliteitsbouw",
        ("Bouwbedrijf {surname}", "Aannemersbedrijf {surname} B.V."),
        (5, 45),
    ),
    Activity("4321", "Elektrotechnische bouwinstallatie", ("Elektrotechniek {surname}",), (3, 25)),
    Activity(
        "4322",
        "Loodgieters- en fitterswerk; installatie van sanitair en verwarming",
        ("Installatiebedrijf {surname}", "Loodgietersbedrijf {surname}"),
        (2, 20),
    ),
    Activity("4334", "Schilders- en glaszetwerk", ("Schildersbedrijf {surname}",), (2, 15)),
    Activity("4332", "Bouwtimmeren", ("Timmerbedrijf {surname}",), (1, 10)),
)

BUSINESS_SERVICES = (
    Activity(
        "6920",
        "Accountants, administratiekantoren en belastingadviseurs",
        ("Administratiekantoor {surname}", "Accountantskantoor {surname}"),
        (2, 20),
    ),
    Activity("7022", "Organisatie-adviesbureaus", ("Adviesbureau {word}",), (1, 12)),
    Activity("7111", "Architecten", ("Architectenbureau {surname}",), (2, 12)),
    Activity("7311", "Reclamebureaus", ("Reclamebureau {word}",), (2, 15)),
    Activity("7830", "Uitzendbureaus", ("Uitzendbureau {city}",), (3, 20)),
    Activity(
        "8010", "Particuliere beveiliging", ("Beveiliging {city}", "{surname} Security"), (5, 40)
    ),
    Activity("8121", "Interieurreiniging van gebouwen", ("Schoonmaakbedrijf {surname}",), (5, 60)),
)

GREENHOUSE = (
    Activity(
        "0113",
        "Teelt van groenten en wortel- en knolgewassen",
        ("Kwekerij {surname}", "{surname} Tomaten", "Gebr. {surname} Paprika"),
        (6, 60),
    ),
    Activity(
        "0119",
        "Teelt van bloemen en overige eenjarige gewassen",
        ("Bloemenkwekerij {surname}", "{surname} Chrysanten"),
        (5, 40),
    ),
)

SECTORS: dict[str, tuple[Activity, ...]] = {
    "retail": RETAIL,
    "hospitality": HOSPITALITY,
    "transport": TRANSPORT,
    "construction": CONSTRUCTION,
    "business_services": BUSINESS_SERVICES,
    "greenhouse": GREENHOUSE,
}

# Sector weights per kind of area (or per named mix on an area).
MIXES: dict[str, dict[str, int]] = {
    "retail_area": {"retail": 60, "hospitality": 30, "business_services": 10},
    "village_core": {"retail": 40, "hospitality": 25, "construction": 20, "business_services": 15},
    "district": {"retail": 35, "hospitality": 20, "construction": 20, "business_services": 25},
    "business_park": {"transport": 35, "construction": 35, "business_services": 30},
    "rural_area": {"construction": 40, "transport": 30, "business_services": 30},
    "westland_village": {"greenhouse": 40, "retail": 30, "hospitality": 15, "construction": 15},
    "greenhouse": {"greenhouse": 70, "transport": 20, "construction": 10},
    "technopolis": {"business_services": 70, "construction": 15, "hospitality": 15},
}

WORDS = (
    "De Korenbloem",
    "Het Gouden Korenaar",
    "De Vier Winden",
    "De Bladwijzer",
    "De Spaak",
    "Het Anker",
    "De Zwaan",
    "De Gouden Leeuw",
    "Het Wapen",
    "De Kroon",
    "De Molen",
    "De Linde",
    "Het Pleintje",
    "De Hoek",
    "Het Hof",
    "De Waag",
    "De Zon",
    "Zuiderlicht",
    "De Sterrenhoek",
    "Het Kompas",
    "De Klok",
    "De Brug",
    "Het Bolwerk",
    "De Haven",
    "De Vrijheid",
    "Het Baken",
    "De Pauw",
    "Het Lindeblad",
    "De Kolibrie",
    "De Eik",
    "De Pelikaan",
    "Het Zilveren Schip",
    "Het Groene Hart",
    "De Wilgen",
    "De Vlinder",
)

FIRST_NAMES = (
    "Anouk",
    "Bram",
    "Carla",
    "Daan",
    "Eva",
    "Fatima",
    "Gert",
    "Hanneke",
    "Iris",
    "Joris",
    "Karin",
    "Lars",
    "Mohamed",
    "Nadia",
    "Olaf",
    "Petra",
    "Quinten",
    "Rachid",
    "Sanne",
    "Thijs",
    "Ufuk",
    "Vera",
    "Willem",
    "Yara",
    "Zeynep",
    "Bas",
    "Marloes",
    "Ruud",
    "Ilse",
    "Kees",
    "Lotte",
    "Mehmet",
    "Noor",
    "Pieter",
    "Renske",
    "Sven",
    "Tamara",
    "Wendy",
    "Ahmed",
    "Esther",
    "Frank",
    "Ingrid",
    "Jeroen",
    "Linda",
    "Martijn",
    "Priya",
    "Stefan",
)

SURNAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "Schouten",
    "Willems",
    "Yilmaz",
    "El Amrani",
    "Öztürk",
    "Kaya",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "Prins",
    "Huisman",
    "Kuipers",
    "Aerts",
    "van Gils",
    "Timmermans",
    "Goossens",
)

# Family names that are common in Westland's greenhouse horticulture.
WESTLAND_SURNAMES = (
    "van der Knaap",
    "Zwinkels",
    "Vreugdenhil",
    "van Geest",
    "Duijvestijn",
    "van Ruijven",
    "van der Lans",
    "Brabander",
    "Verbeek",
    "Koppert",
    "van Marrewijk",
    "Olsthoorn",
)

HOUSE_NUMBER_ADDITIONS = ("A", "B", "C", "bis")
