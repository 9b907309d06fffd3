"""Demo reports: routing rules, settings per municipality and a year of reports with history.

Called by `manage.py load_demo_data` after the network demo is loaded (demo settings only).
Safe to run again: routing rules and settings are created when missing, the reports once
(the audit entry "demo_data.reports_loaded" marks that they were).

The reports lie in the past, with timelines that took days or weeks: status changes,
questions to the reporter and answers, feedback, verdicts, forwarding, duplicates. The
services stamp every change with the current time and queue emails, so this module writes
the rows directly instead, in bulk, following the same rules the services enforce (the
workflow's transitions, deadlines from the working-day calendar, the anonymity constraint).

Anonymous reports carry the hash of a receipt code that is thrown away at once; only the
code of one report (`DEMO_RECEIPT_CODE`) is known, so a demo user can follow that report.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from weerbaar.accounts.models import Organisation, User
from weerbaar.core.audit import record
from weerbaar.core.calendar import WorkingDayCalendar
from weerbaar.core.models import AuditEntry
from weerbaar.network import demo_people as people
from weerbaar.network import demo_places as places
from weerbaar.network import demo_sectors as sectors
from weerbaar.network.models import Area, BusinessPerson, Municipality
from weerbaar.reports import receipts
from weerbaar.reports.models import (
    STAFF_CHANNELS,
    EventKind,
    MunicipalityReportSettings,
    Report,
    ReportCategory,
    ReportChannel,
    ReportEvent,
    ReportStatus,
    RetentionMode,
    RoutingRule,
)
from weerbaar.reports.routing import compute_deadlines, find_route

S = ReportStatus
SEED = 20261124
LOADED = "demo_data.reports_loaded"
REPORTS_PER_MUNICIPALITY = {"breda": 64, "westland": 34, "delft": 32, "wijdemeren": 20}
# Known on purpose, and printed by the command: the one report a demo user can follow.
# Derived from the seed, so every run prints the same code.
_code_rng = random.Random(SEED)  # noqa: S311 - a published demo code, by design
DEMO_RECEIPT_CODE = receipts.format_code(
    "".join(_code_rng.choice(receipts.ALPHABET) for _ in range(receipts.CODE_LENGTH))
)

# Share of the reports per category group.
GROUP_WEIGHTS = {
    "undermining": 18,
    "high_impact_crime": 12,
    "property_crime": 24,
    "cyber_fraud": 18,
    "nuisance_decay": 20,
    "fire_safety": 4,
    "aggression_against_staff": 4,
}
CHANNEL_WEIGHTS = {
    ReportChannel.WEB: 45,
    ReportChannel.PORTAL: 20,
    ReportChannel.PHONE: 12,
    ReportChannel.EVENT: 8,
    ReportChannel.COUNTER: 4,
    ReportChannel.EMAIL: 5,
    ReportChannel.API: 6,
}

# Who enters reports on behalf of callers in each municipality.
INTAKE_STAFF = {
    "breda": "oov@breda.weerbaar.demo",
    "westland": "ez@westland.weerbaar.demo",
    "delft": "bedrijfscontact@politie.weerbaar.demo",
    "wijdemeren": "ondernemersmanager@wijdemeren.weerbaar.demo",
}
UNDERMINING_TEAM = "Ondermijning"

# --- the routing, as data per municipality ------------------------------------------------

# (priority, category group, police team); everything else goes to the municipality's OOV.
POLICE_ROUTES = (
    (10, "undermining", UNDERMINING_TEAM),
    (20, "high_impact_crime", "Basisteam"),
    (25, "aggression_against_staff", "Basisteam"),
    (30, "cyber_fraud", "Digitale criminaliteit"),
)
MUNICIPAL_PRIORITY = 100
MUNICIPAL_TEAM = "OOV"

# (retention days, mode, reopen window days, extra closed days as (month, day))
SETTINGS = {
    "breda": (365, RetentionMode.ANONYMISE, 30, ((12, 24), (12, 31))),
    "westland": (730, RetentionMode.ANONYMISE, 30, ()),
    "delft": (365, RetentionMode.DELETE, 14, ((12, 24),)),
    "wijdemeren": (365, RetentionMode.ANONYMISE, 30, ()),
}

# --- what reporters write and what handlers answer ----------------------------------------

DESCRIPTIONS = {
    "undermining": (
        "Al weken staat er 's nachts een busje met draaiende motor bij het bedrijfspand aan "
        "de {street}. De ramen zijn afgeplakt en er hangt een sterke lucht.",
        "Een man bood aan mijn zaak contant over te nemen, ruim boven de waarde. Vragen over "
        "waar het geld vandaan komt wilde hij niet beantwoorden.",
        "Het pand naast ons aan de {street} heeft afgeplakte ramen en de ventilatie zoemt dag "
        "en nacht. Er komt nooit een klant.",
        "Achter de {street} staan sinds vanochtend blauwe vaten en jerrycans met een "
        "chemische lucht. Ik heb ze niet aangeraakt.",
        "Een vaste klant betaalt steeds grote bedragen contant en vraagt om facturen op een "
        "andere bedrijfsnaam.",
        "In de bovenwoning aan de {street} lijken veel arbeiders te slapen. Ze worden elke "
        "ochtend om vijf uur met een busje opgehaald.",
        "Iemand vroeg of hij pakketten bij ons mocht laten bezorgen die hij dan 's avonds "
        "ophaalt. Hij bood er geld voor.",
    ),
    "high_impact_crime": (
        "Vannacht is er ingebroken bij de zaak aan de {street}. De achterdeur is geforceerd. "
        "Aangifte is gedaan.",
        "Twee mannen met capuchons keken gisteravond lang naar binnen en liepen daarna om het "
        "pand heen, ook langs de achteringang.",
        "Poging tot ramkraak bij de winkel aan de {street}: het rolluik is ingedeukt en de "
        "paal voor de deur is scheef gereden.",
        "Een medewerker werd bij het afsluiten van de kassa bedreigd door een man die geld "
        "eiste. Niemand is gewond.",
    ),
    "property_crime": (
        "Twee jongens namen verzorgingsproducten mee zonder te betalen en renden richting "
        "{street}.",
        "Weer een fietsendiefstal bij de ingang aan de {street}, de derde deze maand.",
        "Iemand bood in de zaak nieuwe telefoons aan voor een fractie van de prijs, zonder "
        "doos of bon.",
        "De etalageruit aan de {street} is vannacht ingegooid.",
        "Uit de bus van een leverancier zijn bij het lossen dozen gestolen.",
    ),
    "cyber_fraud": (
        "We kregen een factuur van een 'bedrijvengids' voor een vermelding die we nooit "
        "hebben besteld. Ze dreigen met een incassobureau.",
        "Een e-mail die van onze bank leek te komen vroeg om in te loggen via een link. Een "
        "collega heeft dat gedaan voordat we het doorhadden.",
        "Onze boekhouder kreeg een WhatsApp-bericht van 'de directeur' met het verzoek snel "
        "een betaling te doen naar een nieuw rekeningnummer.",
        "Op twee computers van de zaak verschenen versleutelde bestanden en een bericht met "
        "een losgeldeis.",
        "Een leverancier meldt dat zijn rekeningnummer is gewijzigd, maar de mail komt van "
        "een net iets ander adres.",
    ),
    "nuisance_decay": (
        "Elke avond hangt een groep jongeren bij de ingang aan de {street} en valt klanten lastig.",
        "Bij de {street} wordt steeds grofvuil gedumpt naast de containers.",
        "De straatverlichting aan de {street} is al twee weken kapot; het is 's avonds erg "
        "donker bij de winkels.",
        "Het leegstaande pand aan de {street} raakt in verval: ramen zijn kapot en er lijken "
        "mensen te slapen.",
        "Nieuwe graffiti op de gevels aan de {street}, ook op de rolluiken.",
        "Vrachtwagens parkeren de hele dag op de stoep aan de {street}; klanten kunnen er "
        "niet langs.",
    ),
    "fire_safety": (
        "De nooduitgang van het bedrijfsverzamelgebouw aan de {street} staat vol met pallets.",
        "Achter de {street} worden gasflessen en brandbaar afval tegen de gevel opgeslagen.",
    ),
    "aggression_against_staff": (
        "Een klant werd agressief toen hij geen alcohol mocht kopen en heeft een medewerker "
        "geduwd.",
        "Een man scheldt al dagen onze medewerkers uit en dreigt terug te komen.",
    ),
}
FEEDBACK = {
    "undermining": (
        "Dank voor uw melding. Politie en gemeente hebben er samen naar gekeken en stappen "
        "gezet. Meer kunnen we er niet over zeggen, maar uw melding heeft geholpen.",
        "Dank voor uw oplettendheid. Uw informatie is gebruikt in een lopend onderzoek.",
    ),
    "high_impact_crime": (
        "De politie heeft extra gesurveilleerd in uw straat en de beelden bekeken. Blijf "
        "verdachte situaties melden; bij heterdaad belt u 112.",
        "De wijkagent is langs geweest en heeft tips gegeven over verlichting en camera's.",
    ),
    "property_crime": (
        "De wijkagent is langs geweest. Er is extra toezicht afgesproken met de BIZ.",
        "Dank voor uw melding. De daders zijn herkend op beelden; de politie pakt dit op.",
    ),
    "cyber_fraud": (
        "Dank voor uw melding. We hebben een waarschuwing gestuurd aan de ondernemers in uw "
        "gebied. Doe ook aangifte via politie.nl en meld het bij de Fraudehelpdesk.",
        "Uw melding is doorgezet naar het team Digitale criminaliteit. Tip: spreek met uw "
        "bank af dat nieuwe rekeningnummers altijd telefonisch worden gecontroleerd.",
    ),
    "nuisance_decay": (
        "De gemeente heeft de verlichting laten repareren. Dank dat u het meldde.",
        "Handhaving heeft het afval laten opruimen en houdt de komende weken extra toezicht.",
        "De jongerenwerker en de wijkagent zijn in gesprek gegaan met de groep.",
    ),
    "fire_safety": (
        "De brandweer heeft een controle gedaan; de eigenaar heeft de nooduitgang vrijgemaakt.",
    ),
    "aggression_against_staff": (
        "De politie heeft de man aangesproken. Hij heeft een winkelverbod gekregen.",
    ),
}
QUESTIONS = (
    "Weet u op welke dagen en tijden dit meestal gebeurt?",
    "Heeft u camerabeelden van het moment? U kunt ze hier toevoegen.",
    "Kunt u een kenteken of een beschrijving van de persoon geven?",
)
ANSWERS = (
    "Meestal op dinsdag- en donderdagnacht, rond twee uur.",
    "Ja, ik heb een foto van het busje toegevoegd.",
    "Een witte bestelbus; het kenteken begon met een V.",
)
NOTES = (
    "Bekend adres: er zijn eerder meldingen van deze locatie.",
    "Afgestemd met de wijkagent; hij rijdt er deze week langs.",
    "Besproken in het casusoverleg.",
)
UPDATES = (
    "We hebben uw melding ontvangen en zijn ermee bezig. U hoort van ons.",
    "De wijkagent gaat deze week langs. We laten u weten wat eruit komt.",
)
CANCEL_REASONS = (
    "Na contact bleek dit een misverstand; er is niets aan de hand.",
    "Dit valt buiten onze gemeente; we hebben u verwezen naar de juiste gemeente.",
)
VERDICTS_YES = (
    "Fijn dat er zo snel iets gebeurde.",
    "Goed om te horen dat het serieus genomen wordt.",
    "",
)
VERDICTS_NO = (
    "Ik hoor graag wat er verder gebeurt; het probleem is er nog steeds.",
    "Het duurde lang voordat ik iets hoorde.",
)
REOPEN_REASONS = ("Het gebeurt sinds vorige week weer, precies hetzelfde.",)
FORWARD_REASONS = (
    "Dit is geen zaak voor de politie maar voor handhaving van de gemeente.",
    "Hier is opsporing nodig; de politie neemt het over.",
)

# --- stories: the steps a report went through, by how old it is ---------------------------

STORIES: dict[str, tuple[str, ...]] = {
    "received": (),
    "triage": ("triage",),
    "in_progress": ("triage", "progress", "note"),
    "in_progress_update": ("triage", "progress", "update"),
    "waiting": ("triage", "progress", "question"),
    "forwarded": ("triage", "forward"),
    "resolved": ("triage", "progress", "resolve"),
    "closed_satisfied": ("triage", "progress", "resolve", "verdict_yes"),
    "closed_unsatisfied": ("triage", "progress", "note", "resolve", "verdict_no"),
    "answered_closed": ("triage", "progress", "question", "answer", "resolve", "verdict_yes"),
    "closed_by_handler": ("triage", "progress", "resolve", "close"),
    "cancelled": ("triage", "cancel"),
    "duplicate": ("triage", "duplicate"),
    "reopened": ("triage", "progress", "resolve", "reopen"),
}
# (younger than this many days, story weights)
STORY_WEIGHTS: tuple[tuple[float, dict[str, int]], ...] = (
    (1, {"received": 7, "triage": 3}),
    (
        5,
        {
            "triage": 5,
            "in_progress": 5,
            "in_progress_update": 2,
            "waiting": 3,
            "resolved": 4,
            "cancelled": 1,
        },
    ),
    (
        30,
        {
            "in_progress": 4,
            "in_progress_update": 2,
            "waiting": 3,
            "forwarded": 2,
            "resolved": 3,
            "closed_satisfied": 3,
            "closed_unsatisfied": 1,
            "answered_closed": 1,
            "duplicate": 1,
            "reopened": 1,
        },
    ),
    (
        400,
        {
            "closed_satisfied": 35,
            "closed_unsatisfied": 10,
            "answered_closed": 12,
            "closed_by_handler": 10,
            "resolved": 8,
            "cancelled": 7,
            "duplicate": 5,
            "in_progress": 5,
            "waiting": 4,
            "reopened": 4,
        },
    ),
)
# Hours each step took (drawn between the bounds, then squeezed into the report's age).
STEP_HOURS = {
    "triage": (1, 30),
    "progress": (2, 72),
    "note": (1, 48),
    "update": (4, 96),
    "question": (4, 72),
    "answer": (6, 96),
    "resolve": (24, 240),
    "verdict_yes": (6, 96),
    "verdict_no": (6, 96),
    "close": (24, 168),
    "cancel": (2, 48),
    "duplicate": (1, 24),
    "forward": (2, 48),
    "reopen": (24, 240),
}


@dataclass(frozen=True)
class ReportDemoResult:
    created: dict[str, int]
    receipt_code: str | None  # the demo report's code, when that report exists
    receipt_reference: str | None

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def load_report_demo(now: datetime.datetime | None = None) -> ReportDemoResult:
    """Create the demo routing rules, settings and reports that do not exist yet."""
    now = now or timezone.now()
    with transaction.atomic():
        loader = _Loader(now)
        loader.configure()
        if not AuditEntry.objects.filter(action=LOADED).exists():
            loader.reports()
            record(None, LOADED, None, {"reports": loader.created["reports"]})
    demo_report = Report.objects.filter(
        receipt_code_hash=receipts.hash_code(DEMO_RECEIPT_CODE)
    ).first()
    return ReportDemoResult(
        created=dict(loader.created),
        receipt_code=DEMO_RECEIPT_CODE if demo_report else None,
        receipt_reference=demo_report.reference if demo_report else None,
    )


@dataclass
class _Planned:
    report: Report
    events: list[ReportEvent] = field(default_factory=list)
    group: str = ""
    duplicate: bool = False


class _Loader:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.created: Counter[str] = Counter()
        self.municipalities = {
            m.slug: m for m in Municipality.objects.filter(slug__in=REPORTS_PER_MUNICIPALITY)
        }
        self.organisations = {o.name: o for o in Organisation.objects.all()}
        self.users = {
            u.email: u
            for u in User.objects.filter(
                email__in=[login.email for login in people.STAFF_LOGINS]
                + [people.ENTREPRENEUR_LOGIN.email]
            )
        }
        self.specs = {spec.slug: spec for spec in places.MUNICIPALITIES}

    # --- configuration ----------------------------------------------------------------

    def configure(self) -> None:
        groups = {c.code: c for c in ReportCategory.objects.filter(parent__isnull=True)}
        for slug, municipality in self.municipalities.items():
            police = self.organisations.get(self.specs[slug].police_unit)
            oov = self.organisations.get(people.oov(municipality.name))
            if police is not None:
                for priority, group, team in POLICE_ROUTES:
                    if group in groups:
                        self._rule(priority, groups[group], municipality, police, team)
            if oov is not None:
                self._rule(MUNICIPAL_PRIORITY, None, municipality, oov, MUNICIPAL_TEAM)
            days, mode, reopen_days, closed = SETTINGS[slug]
            year = timezone.localdate(self.now).year
            _, created = MunicipalityReportSettings.objects.get_or_create(
                municipality=municipality,
                defaults={
                    "retention_days": days,
                    "retention_mode": mode,
                    "reopen_window_days": reopen_days,
                    "closed_days": [datetime.date(year, m, d).isoformat() for m, d in closed],
                },
            )
            self.created["report_settings"] += created

    def _rule(
        self,
        priority: int,
        category: ReportCategory | None,
        municipality: Municipality,
        organisation: Organisation,
        team: str,
    ) -> None:
        _, created = RoutingRule.objects.get_or_create(
            priority=priority,
            category=category,
            municipality=municipality,
            area=None,
            organisation=organisation,
            defaults={"team": team},
        )
        self.created["routing_rules"] += created

    # --- reports ----------------------------------------------------------------------

    def reports(self) -> None:
        categories = list(ReportCategory.objects.filter(is_active=True).select_related("parent"))
        with_children = {c.parent_id for c in categories if c.parent_id is not None}
        leaves: dict[str, list[ReportCategory]] = {}
        for category in categories:
            if category.pk not in with_children:
                leaves.setdefault(category.group_code, []).append(category)
        rules = list(RoutingRule.objects.filter(is_active=True).select_related("organisation"))
        report_settings = {s.municipality_id: s for s in MunicipalityReportSettings.objects.all()}
        existing = set(Report.objects.values_list("reference", flat=True))
        planned: list[_Planned] = []
        for slug, count in REPORTS_PER_MUNICIPALITY.items():
            municipality = self.municipalities.get(slug)
            if municipality is None:
                continue
            planner = _MunicipalityPlanner(
                self, municipality, leaves, rules, report_settings.get(municipality.pk), existing
            )
            planned.extend(planner.plan(count, with_demo_receipt=slug == "breda"))
        self._write(planned)

    def _write(self, planned: list[_Planned]) -> None:
        reports = [item.report for item in planned]
        # created_at is auto_now_add, which bulk_create overwrites with the current time;
        # bulk_update writes the back-dated values as given.
        stamps = [(report.created_at, report.updated_at) for report in reports]
        Report.objects.bulk_create(reports, batch_size=500)
        for report, (created_at, updated_at) in zip(reports, stamps, strict=True):
            report.created_at, report.updated_at = created_at, updated_at
        Report.objects.bulk_update(reports, ["created_at", "updated_at"], batch_size=500)
        self._link_duplicates(planned)
        events = [event for item in planned for event in item.events]
        for item in planned:
            for event in item.events:
                event.report = item.report
        ReportEvent.objects.bulk_create(events, batch_size=500)
        self.created["reports"] += len(reports)
        self.created["report_events"] += len(events)

    def _link_duplicates(self, planned: list[_Planned]) -> None:
        changed = []
        for index, item in enumerate(planned):
            if not item.duplicate:
                continue
            report = item.report
            originals = [
                other.report
                for other in planned[:index]
                if other.report.municipality_id == report.municipality_id
                and other.group == item.group
                and not other.duplicate
                and other.report.created_at < report.created_at
            ]
            if not originals:
                # The earliest report of its group: take the nearest in the municipality.
                originals = [
                    other.report
                    for other in planned
                    if other.report.municipality_id == report.municipality_id
                    and not other.duplicate
                ]
                originals.sort(key=lambda other: abs(other.created_at - report.created_at))
                originals.reverse()
            original = originals[-1] if originals else None
            report.duplicate_of = original
            for event in item.events:
                if event.to_status == S.DUPLICATE and original is not None:
                    event.data = {"duplicate_of": original.reference}
            changed.append(report)
        Report.objects.bulk_update(changed, ["duplicate_of"])


class _MunicipalityPlanner:
    """Plans the reports of one municipality: pure apart from the lookups done up front."""

    def __init__(
        self,
        loader: _Loader,
        municipality: Municipality,
        leaves: dict[str, list[ReportCategory]],
        rules: list[RoutingRule],
        report_settings: MunicipalityReportSettings | None,
        references: set[str],
    ) -> None:
        self.loader = loader
        self.rng = loader.rng
        self.now = loader.now
        self.municipality = municipality
        self.slug = municipality.slug
        self.leaves = leaves
        self.rules = [r for r in rules if r.municipality_id in (None, municipality.pk)]
        self.rules.sort(key=lambda rule: (rule.priority, rule.pk))
        self.calendar = WorkingDayCalendar.with_closed_days(
            report_settings.closed_dates() if report_settings else []
        )
        self.references = references
        self.areas = list(Area.objects.filter(municipality=municipality).order_by("name"))
        self.area_specs = {a.name: a for a in loader.specs[self.slug].areas}
        self.portal_people = list(
            BusinessPerson.objects.filter(business__municipality=municipality)
            .select_related("person", "business", "business__area")
            .order_by("business__establishment_number")
        )
        entrepreneur = loader.users.get(people.ENTREPRENEUR_LOGIN.email)
        self.entrepreneur_links = [
            link for link in self.portal_people if entrepreneur and link.person == entrepreneur
        ]

    def plan(self, count: int, *, with_demo_receipt: bool) -> list[_Planned]:
        planned = []
        for index in range(count):
            age = self._age()
            created = self._office_hours(self.now - datetime.timedelta(days=age))
            demo = with_demo_receipt and index == 0
            if demo:
                created = self.now - datetime.timedelta(days=9, hours=3)
            planned.append(self._report(created, demo=demo, portal_first=index < 3))
        planned.sort(key=lambda item: item.report.created_at)
        return planned

    def _age(self) -> float:
        """Days since the report came in: a few fresh ones in every queue, most of the year
        already handled."""
        draw = self.rng.random()
        if draw < 0.05:
            return self.rng.uniform(0, 1)
        if draw < 0.15:
            return self.rng.uniform(1, 5)
        if draw < 0.35:
            return self.rng.uniform(5, 30)
        return self.rng.uniform(30, 365)

    def _office_hours(self, moment: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(moment)
        hour = self.rng.choice((8, 9, 10, 11, 13, 14, 15, 16, 19, 21))
        shifted = local.replace(hour=hour, minute=self.rng.randrange(60))
        return min(shifted, self.now - datetime.timedelta(minutes=30))

    def _report(self, created: datetime.datetime, *, demo: bool, portal_first: bool) -> _Planned:
        rng = self.rng
        group = rng.choices(list(GROUP_WEIGHTS), weights=list(GROUP_WEIGHTS.values()))[0]
        category = rng.choice(self.leaves[group])
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        if portal_first and self.loader_has_entrepreneur():
            channel = ReportChannel.PORTAL
        anonymous_share = 0.75 if category.is_confidential else 0.35
        anonymous = channel in (ReportChannel.WEB, ReportChannel.API) and (
            rng.random() < anonymous_share
        )
        if demo:
            category = next(c for c in self.leaves["undermining"] if c.code == "cannabis_farm")
            group, channel, anonymous = "undermining", ReportChannel.WEB, True
        area = rng.choice(self.areas) if self.areas else None
        business = None
        reporter: User | None = None
        if channel == ReportChannel.PORTAL and self.portal_people:
            links = self.entrepreneur_links if portal_first else self.portal_people
            link = rng.choice(links or self.portal_people)
            reporter, business, area = link.person, link.business, link.business.area
        street = self._street(area)
        age = self.now - created
        story = "waiting" if demo else self._story(age)
        deadlines = compute_deadlines(timezone.localdate(created), category, self.calendar)
        rule = find_route(self.rules, category, self.municipality.pk, area.pk if area else None)
        report = Report(
            reference=self._reference(created),
            municipality=self.municipality,
            area=area,
            business=business,
            category=category,
            is_confidential=category.is_confidential,
            description=rng.choice(DESCRIPTIONS[group]).format(street=street),
            occurred_at=created - datetime.timedelta(hours=rng.uniform(0.5, 40)),
            location_text=f"{street} {rng.randint(1, 120)}" if business is None else "",
            channel=channel,
            entered_by=self.loader.users.get(INTAKE_STAFF[self.slug])
            if channel in STAFF_CHANNELS
            else None,
            is_anonymous=anonymous,
            reporter=reporter,
            organisation=rule.organisation if rule else None,
            team=rule.team if rule else "",
            first_response_due=deadlines.first_response_due,
            feedback_due=deadlines.feedback_due,
            created_at=created,
        )
        if anonymous:
            code = DEMO_RECEIPT_CODE if demo else receipts.new_receipt_code()
            report.receipt_code_hash = receipts.hash_code(code)
        elif reporter is None:
            self._identify(report)
        item = _Planned(report, group=group, duplicate=story == "duplicate")
        _History(self, item, rule).tell(STORIES[story], created, age)
        report.updated_at = max((e.created_at for e in item.events), default=created)
        return item

    def loader_has_entrepreneur(self) -> bool:
        return bool(self.entrepreneur_links)

    def _story(self, age: datetime.timedelta) -> str:
        days = age.total_seconds() / 86400
        for younger_than, weights in STORY_WEIGHTS:
            if days < younger_than:
                return self.rng.choices(list(weights), weights=list(weights.values()))[0]
        return "closed_satisfied"

    def _street(self, area: Area | None) -> str:
        spec = self.area_specs.get(area.name) if area else None
        if spec is None:
            return "Stationsstraat"
        return self.rng.choice(spec.streets)

    def _reference(self, created: datetime.datetime) -> str:
        year = timezone.localtime(created).strftime("%y")
        while True:
            # The same shape as intake's references (services/intake.py).
            tail = "".join(self.rng.choice(receipts.ALPHABET) for _ in range(8))
            reference = f"M{year}-{tail[:4]}-{tail[4:]}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def _identify(self, report: Report) -> None:
        rng = self.rng
        first = rng.choice(sectors.FIRST_NAMES)
        surname = rng.choice(sectors.SURNAMES)
        report.reporter_name = f"{first} {surname}"
        report.reporter_email = (
            f"{slugify(first)}.{slugify(surname).replace('-', '')}@voorbeeld.weerbaar.demo"
        )
        if report.channel in STAFF_CHANNELS or rng.random() < 0.3:
            report.reporter_phone = f"06-{rng.randint(10000000, 99999999)}"

    def handlers(self, organisation: Organisation | None, report: Report) -> list[User]:
        """Demo users who may handle `report` for `organisation` (scope and designation)."""
        if organisation is None:
            return []
        emails = [
            login.email
            for login in people.STAFF_LOGINS
            if login.organisation == organisation.name
            and (self.slug in login.municipalities or _covers_area(login.areas, report))
            and (login.handles_confidential_reports or not report.is_confidential)
        ]
        if not report.is_confidential and report.area is not None:
            # The wijkagent helps with what happens in their own area.
            emails.sort(key=lambda email: email != "wijkagent@politie.weerbaar.demo")
        return [self.loader.users[email] for email in emails if email in self.loader.users]


def _covers_area(areas: tuple[tuple[str, str], ...], report: Report) -> bool:
    if report.area is None:
        return False
    return (report.municipality.slug, report.area.name) in areas


class _History:
    """Writes the timeline of one report and keeps its fields in step with it."""

    def __init__(
        self, planner: _MunicipalityPlanner, item: _Planned, rule: RoutingRule | None
    ) -> None:
        self.planner = planner
        self.rng = planner.rng
        self.item = item
        self.report = item.report
        self.handler: User | None = None
        candidates = planner.handlers(self.report.organisation, self.report)
        if candidates:
            self.handler = candidates[0] if self.rng.random() < 0.8 else candidates[-1]
        self.rule = rule

    def tell(
        self, steps: tuple[str, ...], created: datetime.datetime, age: datetime.timedelta
    ) -> None:
        report = self.report
        staff = report.channel in STAFF_CHANNELS
        self._event(
            EventKind.SUBMITTED,
            created,
            to_status=S.RECEIVED,
            author=report.entered_by if staff else None,
            author_kind="staff" if staff else "reporter",
            data={"channel": str(report.channel)},
        )
        if self.rule is not None:
            self._event(
                EventKind.ROUTED,
                created,
                author_kind="system",
                data={
                    "rule": self.rule.pk,
                    "organisation": str(self.rule.organisation),
                    "team": self.rule.team,
                },
            )
        hours = [self.rng.uniform(*STEP_HOURS[step]) for step in steps]
        available = age.total_seconds() / 3600 * 0.9
        if sum(hours) > available:
            hours = [h * available / sum(hours) for h in hours]
        moment = created
        for step, duration in zip(steps, hours, strict=True):
            moment += datetime.timedelta(hours=duration)
            getattr(self, f"_{step}")(moment)

    # --- steps -------------------------------------------------------------------------

    def _triage(self, at: datetime.datetime) -> None:
        self._status(S.TRIAGE, at)
        if self.handler is not None and self.rng.random() < 0.75:
            self.report.assignee = self.handler
            self._event(EventKind.ASSIGNED, at, data={"assignee": str(self.handler)})

    def _progress(self, at: datetime.datetime) -> None:
        self._status(S.IN_PROGRESS, at)
        self._first_response(at)

    def _note(self, at: datetime.datetime) -> None:
        self._event(EventKind.INTERNAL_NOTE, at, text=self.rng.choice(NOTES))

    def _update(self, at: datetime.datetime) -> None:
        self._event(EventKind.MESSAGE_TO_REPORTER, at, text=self.rng.choice(UPDATES))
        self._first_response(at)

    def _question(self, at: datetime.datetime) -> None:
        self._status(S.WAITING_FOR_REPORTER, at, text=self.rng.choice(QUESTIONS))
        self._first_response(at)

    def _answer(self, at: datetime.datetime) -> None:
        self._event(
            EventKind.MESSAGE_FROM_REPORTER,
            at,
            text=self.rng.choice(ANSWERS),
            author=self.report.reporter,
            author_kind="reporter",
        )
        self._status(S.IN_PROGRESS, at, author_kind="reporter")

    def _resolve(self, at: datetime.datetime) -> None:
        self._status(S.RESOLVED, at, text=self.rng.choice(FEEDBACK[self.item.group]))
        self._first_response(at)
        self.report.feedback_at = at

    def _verdict(self, at: datetime.datetime, satisfied: bool) -> None:
        comment = self.rng.choice(VERDICTS_YES if satisfied else VERDICTS_NO)
        self._event(
            EventKind.SATISFACTION,
            at,
            text=comment,
            author_kind="reporter",
            data={"satisfied": satisfied},
        )
        self._status(S.CLOSED, at, author_kind="reporter")
        self.report.is_satisfied = satisfied
        self.report.satisfaction_comment = comment
        self.report.closed_at = at

    def _verdict_yes(self, at: datetime.datetime) -> None:
        self._verdict(at, True)

    def _verdict_no(self, at: datetime.datetime) -> None:
        self._verdict(at, False)

    def _close(self, at: datetime.datetime) -> None:
        self._status(S.CLOSED, at)
        self.report.closed_at = at

    def _cancel(self, at: datetime.datetime) -> None:
        self._status(S.CANCELLED, at, text=self.rng.choice(CANCEL_REASONS))
        self._first_response(at)
        self.report.feedback_at = self.report.closed_at = at

    def _duplicate(self, at: datetime.datetime) -> None:
        self._status(S.DUPLICATE, at)
        self._first_response(at)
        self.report.feedback_at = self.report.closed_at = at

    def _forward(self, at: datetime.datetime) -> None:
        report = self.report
        police = self.planner.loader.organisations.get(
            self.planner.loader.specs[self.planner.slug].police_unit
        )
        municipal = self.planner.loader.organisations.get(people.oov(report.municipality.name))
        target = municipal if report.organisation == police else police
        if target is None or target == report.organisation:
            self._progress(at)
            return
        previous = report.organisation
        from_status = report.status
        report.organisation, report.assignee = target, None
        report.team = MUNICIPAL_TEAM if target == municipal else ""
        report.status = S.FORWARDED
        report.version += 1
        self._event(
            EventKind.FORWARDED,
            at,
            from_status=from_status,
            to_status=S.FORWARDED,
            text=self.rng.choice(FORWARD_REASONS),
            data={"from": str(previous or ""), "to": str(target), "team": report.team},
        )

    def _reopen(self, at: datetime.datetime) -> None:
        self._event(
            EventKind.REOPEN_REQUESTED,
            at,
            text=self.rng.choice(REOPEN_REASONS),
            author_kind="reporter",
        )
        self._status(S.REOPENED, at, author_kind="reporter")
        self.report.closed_at = None
        self.report.is_satisfied = None

    # --- helpers -----------------------------------------------------------------------

    def _first_response(self, at: datetime.datetime) -> None:
        if self.report.first_response_at is None:
            self.report.first_response_at = at

    def _status(
        self,
        target: ReportStatus,
        at: datetime.datetime,
        *,
        text: str = "",
        author_kind: str = "staff",
    ) -> None:
        report = self.report
        self._event(
            EventKind.STATUS_CHANGED,
            at,
            from_status=report.status,
            to_status=target,
            text=text,
            author_kind=author_kind,
        )
        report.status = target
        report.version += 1

    def _event(
        self,
        kind: EventKind,
        at: datetime.datetime,
        *,
        from_status: str = "",
        to_status: str = "",
        text: str = "",
        author: User | None = None,
        author_kind: str = "staff",
        data: dict[str, object] | None = None,
    ) -> None:
        if author is None and author_kind == "staff":
            author = self.handler
        self.item.events.append(
            ReportEvent(
                kind=kind,
                from_status=from_status,
                to_status=to_status,
                author=author,
                author_kind=author_kind,
                text=text,
                data=data or {},
                created_at=at,
            )
        )
