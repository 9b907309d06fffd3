"""The starting category tree (DOMAIN.md), loaded by a data migration on every new install.

After that the tree is data: administrators edit names, help texts, signals, deadlines and
confidentiality in the back office; this module is not read again.
Each entry: code, Dutch name, English name, Dutch help, English help, Dutch signals
(one per line), confidential, first response days, feedback days.
"""

from __future__ import annotations

from typing import NamedTuple


class CategorySeed(NamedTuple):
    code: str
    name: str
    name_en: str
    help_text: str = ""
    help_text_en: str = ""
    signals: str = ""
    is_confidential: bool = False
    first_response_days: int = 2
    feedback_days: int = 10


class GroupSeed(NamedTuple):
    group: CategorySeed
    children: tuple[CategorySeed, ...]


C = CategorySeed

UNDERMINING_SIGNALS = (
    "Huur of koop contant betaald, of door iemand die niet de gebruiker is\n"
    "Ramen afgeplakt, ventilatie of stroomverbruik dat niet bij het bedrijf past\n"
    "Veel wisselende bezoekers of busjes op vreemde tijden\n"
    "Een bedrijf dat nooit klanten heeft maar wel blijft bestaan"
)

CATEGORY_TREE: tuple[GroupSeed, ...] = (
    GroupSeed(
        C(
            "undermining",
            "Ondermijning",
            "Undermining crime",
            "Criminelen die misbruik maken van gewone bedrijven, panden en diensten. "
            "Deze meldingen ziet alleen een klein aangewezen team van politie en gemeente.",
            "Criminals abusing ordinary businesses, premises and services. Only a small "
            "designated team of police and municipality sees these reports.",
            UNDERMINING_SIGNALS,
            True,
            3,
            20,
        ),
        (
            C(
                "drug_lab",
                "Drugslab",
                "Drug lab",
                "Chemische lucht, afgeplakte ramen, jerrycans of vaten.",
                "Chemical smell, covered windows, jerrycans or drums.",
                "Sterke chemische of anijslucht\nJerrycans, vaten of glaswerk bij het afval\n"
                "Afgeplakte ramen en zware sloten",
                True,
                2,
                20,
            ),
            C(
                "cannabis_farm",
                "Hennepkwekerij",
                "Cannabis farm",
                "Warmte, zoemende ventilatoren of een zoete lucht uit een pand.",
                "Heat, humming fans or a sweet smell from a building.",
                "Sneeuw smelt als eerste op het dak\n"
                "Constant gezoem van ventilatie\nHoog stroomverbruik of geknoeid met de meter",
                True,
                3,
                20,
            ),
            C(
                "drug_waste_dumping",
                "Drugsafval gedumpt",
                "Drug waste dumped",
                "Vaten of "
                "jerrycans met chemicaliën gevonden? Raak ze niet aan en bel 112 bij gevaar.",
                "Found drums or jerrycans with chemicals? Do not touch them; call 112 if "
                "there is danger.",
                "",
                True,
                1,
                10,
            ),
            C(
                "drug_dealing_storage",
                "Drugshandel of -opslag",
                "Drug dealing or storage",
                is_confidential=True,
                first_response_days=3,
                feedback_days=20,
            ),
            C(
                "money_laundering",
                "Witwassen",
                "Money laundering",
                "Grote contante betalingen of een bedrijf dat geld lijkt rond te pompen.",
                "Large cash payments or a business that seems to move money around.",
                "Grote bedragen contant\nOmzet die niet past bij het aantal klanten",
                True,
                3,
                20,
            ),
            C(
                "criminal_investor",
                "Criminele investeerder",
                "Criminal investor",
                "Iemand biedt geld of een overname aan onder opvallende voorwaarden.",
                "Someone offers money or a takeover on striking terms.",
                "",
                True,
                3,
                20,
            ),
            C(
                "human_trafficking",
                "Mensenhandel en uitbuiting",
                "Human trafficking and exploitation",
                "Mensen die onder dwang of zonder loon lijken te werken.",
                "People who seem to work under pressure or without pay.",
                "Werknemers die op het werk slapen\nIemand anders houdt hun paspoort of loon",
                True,
                2,
                20,
            ),
            C(
                "illegal_housing",
                "Illegale bewoning",
                "Illegal housing",
                is_confidential=True,
                first_response_days=3,
                feedback_days=20,
            ),
            C(
                "real_estate_fraud",
                "Vastgoedfraude",
                "Real estate fraud",
                is_confidential=True,
                first_response_days=3,
                feedback_days=20,
            ),
            C(
                "logistics_abuse",
                "Misbruik van logistiek",
                "Abuse of logistics",
                "Verzoeken om zendingen zonder vragen door te laten of op te slaan.",
                "Requests to pass on or store shipments without questions.",
                "",
                True,
                3,
                20,
            ),
            C(
                "vehicle_concealment",
                "Voertuigen met verborgen ruimtes",
                "Vehicles with concealed compartments",
                is_confidential=True,
                first_response_days=3,
                feedback_days=20,
            ),
            C(
                "intimidation_extortion",
                "Intimidatie of afpersing",
                "Intimidation or extortion",
                "Wordt u bedreigd of onder druk gezet? Bij direct gevaar: 112.",
                "Are you being threatened or pressured? In immediate danger: call 112.",
                "",
                True,
                1,
                10,
            ),
            C(
                "undermining_other",
                "Overige ondermijning",
                "Other undermining",
                is_confidential=True,
                first_response_days=3,
                feedback_days=20,
            ),
        ),
    ),
    GroupSeed(
        C(
            "high_impact_crime",
            "High impact crime",
            "High impact crime",
            "Overval, inbraak, straatroof en geweld. Gebeurt het nu? Bel 112.",
            "Robbery, burglary, street robbery and violence. Happening now? Call 112.",
            first_response_days=1,
            feedback_days=10,
        ),
        (
            C(
                "robbery",
                "Overval",
                "Robbery",
                "Doe aangifte bij de politie; meld hier wat het netwerk moet weten.",
                "Report it to the police; tell the network here what it should know.",
                "",
                False,
                1,
                10,
            ),
            C(
                "burglary",
                "Inbraak",
                "Burglary",
                "Doe aangifte; meld hier sporen en verdachte situaties in de buurt.",
                "File a police complaint; report traces and suspicious situations nearby here.",
                "",
                False,
                1,
                10,
            ),
            C("street_robbery", "Straatroof", "Street robbery", first_response_days=1),
            C("violence", "Geweld", "Violence", first_response_days=1),
            C("ram_raid", "Ramkraak", "Ram raid", first_response_days=1),
        ),
    ),
    GroupSeed(
        C(
            "property_crime",
            "Vermogenscriminaliteit",
            "Property crime",
            "Winkeldiefstal, diefstal, vernieling en heling.",
        ),
        (
            C("shoplifting", "Winkeldiefstal", "Shoplifting"),
            C("theft", "Diefstal", "Theft"),
            C("vandalism", "Vernieling", "Vandalism"),
            C(
                "fencing",
                "Heling",
                "Fencing stolen goods",
                "Goederen aangeboden die gestolen lijken.",
                "Goods offered that seem stolen.",
            ),
        ),
    ),
    GroupSeed(
        C(
            "cyber_fraud",
            "Cybercrime en fraude",
            "Cybercrime and fraud",
            "Phishing, valse facturen, CEO-fraude, ransomware en hacks. Bel bij een "
            "lopende betaling meteen uw bank.",
            "Phishing, fake invoices, CEO fraud, ransomware and hacks. With a payment in "
            "progress, call your bank at once.",
        ),
        (
            C("phishing", "Phishing", "Phishing"),
            C("ceo_fraud", "CEO-fraude", "CEO fraud"),
            C("invoice_fraud", "Factuurfraude", "Invoice fraud"),
            C("ransomware", "Ransomware", "Ransomware", first_response_days=1),
            C("whatsapp_fraud", "WhatsApp-fraude", "WhatsApp fraud"),
            C(
                "acquisition_fraud",
                "Acquisitiefraude",
                "Acquisition fraud",
                "Een 'gratis' vermelding of advertentie die later een dure factuur blijkt.",
                "A 'free' listing or advertisement that turns out to be an expensive invoice.",
            ),
            C("hacking", "Hack of datalek", "Hacking or data breach", first_response_days=1),
        ),
    ),
    GroupSeed(
        C(
            "nuisance_decay",
            "Overlast en verloedering",
            "Nuisance and decay",
            "Overlast, zwerfafval, graffiti, kapotte verlichting, leegstand en parkeren.",
            "Nuisance, litter, graffiti, broken lighting, vacancy and parking.",
        ),
        (
            C("youth_nuisance", "Jongerenoverlast", "Youth nuisance"),
            C("litter", "Zwerfafval en dumpingen", "Litter and dumping"),
            C("graffiti", "Graffiti", "Graffiti"),
            C("broken_lighting", "Kapotte verlichting", "Broken lighting"),
            C("vacancy_decay", "Leegstand en verval", "Vacancy and decay"),
            C("traffic_parking", "Verkeer en parkeren", "Traffic and parking"),
        ),
    ),
    GroupSeed(
        C(
            "fire_safety",
            "Brandveiligheid",
            "Fire safety",
            "Geblokkeerde vluchtwegen, brandgevaarlijke opslag. Brand of rook? Bel 112.",
            "Blocked escape routes, hazardous storage. Fire or smoke? Call 112.",
        ),
        (),
    ),
    GroupSeed(
        C(
            "aggression_against_staff",
            "Agressie tegen personeel",
            "Aggression against staff",
            "Bedreiging, intimidatie of geweld tegen u of uw medewerkers.",
            "Threats, intimidation or violence against you or your staff.",
            first_response_days=1,
        ),
        (),
    ),
)
