"""The activity report (bilan d'activité), from the tidy report's rows: what it says is assembled once
(`assemble`: per mission, sections of tables with column headers and charts, every label in French) and shown
three ways: the managers' page, the PDF handed to the Comité technique FSL (reports.pdf), and the readable
sheets of the XLSX (reports.workbook). Pure: rows in, structure out; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from hotline.core import charts
from hotline.core.formatting import format_euros
from hotline.reference import labels as vocabulary
from hotline.reports import household_facts, labels, tidy

EVICTION = "prevention_expulsion"
KEY_FIGURES = [
    "consultations",
    "households",
    "households_received",
    "calls_received",
    "calls_answered",
    "calls_missed",
    "calls_abandoned",
    "callbacks_done",
    "permanences_held",
    "habitat_indigne",
    "permis_louer",
]
# The eviction mission's one debt total: the households' (each with its latest known debt), not per consultation.
DEBT_FIGURES = ["households_debt_known", "household_debt_sum", "household_debt_median"]
AMOUNTS = {"household_debt_sum", "household_debt_median", "debt_amount_sum"}
HOUSEHOLD_FIGURES = ["first_contacts", "first_contacts_situated", "reached_before_commandement"]
HOUSEHOLD_BREAKDOWNS = ["debt_months", "households_by_stage", "first_contact_stage"]
# The eviction mission's profile, one household once (formats.md, households_*), instead of per consultation.
HOUSEHOLD_PROFILE = [f"households_{name}" for name in household_facts.PROFILE[:-1]]
PER_HOUSEHOLD = {"occupancy_status", "housing_sector", "family_situation", "age_band", "resource_band", "debt_origin"}
BREAKDOWNS = [
    "mode",
    "consultant_type",
    "theme",
    "occupancy_status",
    "housing_sector",
    "family_situation",
    "age_band",
    "resource_band",
    "resource_type",
    "referral_source",
    "procedure_stage",
    "debt_origin",
    "outcome",
    "landlord_type",
    "housing_benefit",
]
MONTHLY = ["consultations", "households", "permanences_held", "calls_received", "calls_answered", "callbacks_done"]
CALL_FIGURES = ["calls_received", "calls_answered", "calls_missed", "calls_abandoned"]
PER_TERRITORY = ["permanences_held", "calls_received", "calls_answered", "calls_missed", "callbacks_done"]
# Section key -> the XLSX sheet that gathers that group of indicators for every mission.
SHEETS = {
    "key": "Chiffres clés",
    "territories": "Territoires",
    "months": "Mois",
    "previous": "Année précédente",
    "calls": "Numéro vert",
    "household_profile": "Profil des ménages",
    "profile": "Profil des consultations",
    "households": "Ménages suivis",
    "results": "Résultats",
    "activities": "Activités",
    "notes": "Analyse qualitative",
}
NO_NOTE = "Aucune analyse qualitative n'a été saisie pour cette période."
NOT_APPLICABLE = "—"
NOT_AVAILABLE = "non disponible"  # a month of the year before that the data does not cover: never an invented 0


@dataclass(frozen=True)
class Ratio:
    """A share (0.67 -> "67 %") or, signed, a change ("+12 %", or "+3" on a small base: `difference`); None when
    it cannot be computed."""

    value: float | None
    signed: bool = False
    difference: int | Decimal | None = None

    def text(self) -> str:
        if self.difference is not None:
            return charts.change_text(self.difference, 0)
        if self.value is None:
            return NOT_APPLICABLE
        percent = round(self.value * 100)
        sign = "+" if self.signed and percent > 0 else ("−" if percent < 0 else "")
        return f"{sign}{abs(percent)} %"


Cell = str | int | Decimal | Ratio


@dataclass
class Table:
    caption: str
    headers: list[str]
    lines: list[list[Cell]]  # the first cell of a line names it


@dataclass
class Section:
    key: str  # one of SHEETS
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[charts.Chart] = field(default_factory=list)
    text: str | None = None  # the qualitative analysis
    definitions: list[str] = field(default_factory=list)  # what the section's figures count, in French


@dataclass
class MissionBilan:
    mission: str
    title: str
    sections: list[Section]


def cell_text(value: Cell) -> str:
    if isinstance(value, Ratio):
        return value.text()
    if isinstance(value, Decimal):
        return format_euros(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    return value


def change(now: int | Decimal, before: int | Decimal) -> Ratio:
    if before < charts.SMALL_BASE:  # "+3", not "+150 %": a percentage of a small base says more than it knows
        return Ratio(None, signed=True, difference=now - before)
    return Ratio(float((now - before) / before), signed=True)


def share(part: int | Decimal, whole: int | Decimal) -> Ratio:
    return Ratio(float(part / whole) if whole else None)


def month_codes(first: date, last: date) -> list[str]:
    found, current = [], first
    while current <= last:
        found.append(f"{current:%Y-%m}")
        current += relativedelta(months=1)
    return found


def range_label(first: date, last: date) -> str:
    return f"{first:%m/%Y}" if first == last else f"{first:%m/%Y} à {last:%m/%Y}"


def year_before(first: date, last: date) -> tuple[date, date]:
    return first - relativedelta(years=1), last - relativedelta(years=1)


class _Values:
    """The rows of one mission, looked up by (period, territory, indicator, category); 0 when left out."""

    def __init__(self, rows: Iterable[tidy.Row], mission: str):
        self.cells = {(r.period, r.territory, r.indicator, r.category): r.value for r in rows if r.mission == mission}
        # (territory, indicator) -> {category: value} over the whole range: categories() reads it, instead of
        # every cell of the year at each of its calls.
        self.totals: dict[tuple[str, str], dict[str, int]] = {}
        for (period, territory, indicator, category), value in self.cells.items():
            if period == tidy.TOTAL:
                self.totals.setdefault((territory, indicator), {})[category] = value
        # The months the rows hold anything for (any indicator, any territory read): a month without a single
        # row is one the data does not cover (before the service's log began), not a month of zeros.
        self.periods = {period for period, *_ in self.cells if period != tidy.TOTAL}

    def __call__(
        self, indicator: str, category: str = "", period: str = tidy.TOTAL, territory: str = tidy.ALL
    ) -> int | Decimal:
        none = Decimal(0) if indicator in AMOUNTS else 0  # an amount with nothing counted is 0 euros
        return self.cells.get((period, territory, indicator, category), none)

    def categories(self, indicator: str, territory: str = tidy.ALL) -> dict[str, int]:
        """category -> value over the whole range, in the vocabulary's order (codes outside it last)."""
        found = self.totals.get((territory, indicator), {})
        order = list(labels.categories(indicator))
        return dict(
            sorted(found.items(), key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]))
        )


def assemble(
    rows: Iterable[tidy.Row],
    first: date,
    last: date,
    missions: list[str],
    territory_names: dict[str, str],
    previous: Iterable[tidy.Row] | None = None,
    notes: dict[str, str] | None = None,
    territory: str = tidy.ALL,
) -> list[MissionBilan]:
    """What the bilan says, per mission. previous: the rows of the same months a year before (comparison
    left out when None); notes: mission -> qualitative analysis; territory: one territory's page (its own
    figures, no table across territories, no qualitative section)."""
    rows, previous = list(rows), (list(previous) if previous is not None else None)
    months = month_codes(first, last)
    context = _Context(first, last, months, territory_names, territory)
    bilans = []
    for mission in missions:
        now, before = _Values(rows, mission), (_Values(previous, mission) if previous is not None else None)
        sections = [_key_figures(context, mission, now, before)]
        if territory == tidy.ALL:
            sections.append(_territories(context, now))
        sections.append(_months(context, now, before))
        if before is not None:
            sections.append(_previous_year(context, now, before))
        sections.append(_calls(context, now))
        profile = _household_profile(context, now) if mission == EVICTION else None
        if profile is not None and profile.tables:
            sections.append(profile)
        sections.append(_profile(context, now, per_household=mission == EVICTION))
        if mission == EVICTION:
            sections.append(_households(context, rows, mission, now))
            sections.append(_results(context, now))
        activities = _breakdown_table(context, now, "activities", "Activités", share_of=None)
        if activities:
            sections.append(Section("activities", labels.indicator("activities"), [activities]))
        if territory == tidy.ALL:
            sections.append(Section("notes", "Analyse qualitative", text=(notes or {}).get(mission) or NO_NOTE))
        bilans.append(MissionBilan(mission, vocabulary("missions")[mission], sections))
    return bilans


@dataclass(frozen=True)
class _Context:
    first: date
    last: date
    months: list[str]
    territory_names: dict[str, str]
    territory: str

    @property
    def label(self) -> str:
        return range_label(self.first, self.last)

    @property
    def before_label(self) -> str:
        return range_label(*year_before(self.first, self.last))


def _key_figures(context: _Context, mission: str, now: _Values, before: _Values | None) -> Section:
    names = KEY_FIGURES + (DEBT_FIGURES if mission == EVICTION else [])
    place = context.territory
    if before is None:
        table = Table(
            "Chiffres clés",
            ["Indicateur", context.label],
            [[labels.indicator(n), now(n, territory=place)] for n in names],
        )
    elif not _covers(context, before):  # a whole range is not compared with a part of one
        table = Table(
            "Chiffres clés",
            ["Indicateur", context.label, context.before_label, "Évolution"],
            [[labels.indicator(n), now(n, territory=place), NOT_AVAILABLE, NOT_AVAILABLE] for n in names],
        )
    else:
        table = Table(
            "Chiffres clés",
            ["Indicateur", context.label, context.before_label, "Évolution"],
            [
                [
                    labels.indicator(n),
                    now(n, territory=place),
                    before(n, territory=place),
                    change(now(n, territory=place), before(n, territory=place)),
                ]
                for n in names
            ],
        )
    return Section("key", "Chiffres clés", [table])


def covers(previous: Iterable[tidy.Row], mission: str, first: date, last: date) -> bool:
    """Whether a mission's rows of the year before cover each month of the range a year earlier (the PDF's summary
    compares with them only then, as the key figures do)."""
    return _Values(previous, mission).periods >= set(month_codes(*year_before(first, last)))


def _covers(context: _Context, before: _Values) -> bool:
    """Whether the year before's data covers each month of the range a year earlier (a month without a single row
    is one it does not cover)."""
    return all(_year_earlier(m) in before.periods for m in context.months)


def _territories(context: _Context, now: _Values) -> Section:
    names = context.territory_names
    total = now("consultations")
    consultations = {code: now("consultations", territory=code) for code in names}
    by_territory = Table(
        "Consultations par territoire",
        ["Territoire", "Consultations", "Part"],
        [[label, consultations[code], share(consultations[code], total)] for code, label in names.items()],
    )
    activity = Table(
        "Permanences tenues et appels par territoire",
        ["Territoire", *(labels.indicator(n) for n in PER_TERRITORY)],
        [[label, *(now(n, territory=code) for n in PER_TERRITORY)] for code, label in names.items()]
        + [["Tous territoires", *(now(n) for n in PER_TERRITORY)]],
    )
    chart = charts.bars("Consultations par territoire", {names[code]: value for code, value in consultations.items()})
    return Section("territories", "Territoires", [by_territory, activity], [chart])


def _months(context: _Context, now: _Values, before: _Values | None) -> Section:
    months, place = context.months, context.territory
    headers = [labels.period(m) for m in months] + ["Total"]
    tables = []
    if place == tidy.ALL:
        lines = [
            [
                label,
                *(now("consultations", period=m, territory=code) for m in months),
                now("consultations", territory=code),
            ]
            for code, label in context.territory_names.items()
        ]
        lines.append(["Tous territoires", *(now("consultations", period=m) for m in months), now("consultations")])
        tables.append(Table("Consultations par territoire et par mois", ["Territoire", *headers], lines))
    tables.append(
        Table(
            "Activité par mois",
            ["Indicateur", *headers],
            [
                [labels.indicator(n), *(now(n, period=m, territory=place) for m in months), now(n, territory=place)]
                for n in MONTHLY
            ],
        )
    )
    series = {context.label: [now("consultations", period=m, territory=place) for m in months]}
    # The year before's line only when the data covers each of its months (a line at 0 would invent them).
    if before is not None and _covers(context, before):
        series[context.before_label] = [
            before("consultations", period=_year_earlier(m), territory=place) for m in months
        ]
    chart = charts.lines("Évolution mensuelle des consultations", [labels.period(m) for m in months], series)
    return Section("months", "Mois", tables, [chart])


def _year_earlier(month: str) -> str:
    return f"{int(month[:4]) - 1:04d}{month[4:]}"


def _previous_year(context: _Context, now: _Values, before: _Values) -> Section:
    """Each month against the same month a year before: "non disponible" (neither 0 nor a change against it) for a
    month the year before's data does not cover at all, and for the total when it misses any month."""
    place = context.territory
    lines: list[list[Cell]] = []
    for m in context.months:
        this = now("consultations", period=m, territory=place)
        if _year_earlier(m) not in before.periods:
            lines.append([labels.period(m), this, NOT_AVAILABLE, NOT_AVAILABLE])
            continue
        earlier = before("consultations", period=_year_earlier(m), territory=place)
        lines.append([labels.period(m), this, earlier, change(this, earlier)])
    this, earlier = now("consultations", territory=place), before("consultations", territory=place)
    if _covers(context, before):
        lines.append(["Total", this, earlier, change(this, earlier)])
    else:
        lines.append(["Total", this, NOT_AVAILABLE, NOT_AVAILABLE])
    table = Table(
        "Consultations : comparaison avec les mêmes mois de l'année précédente",
        ["Mois", "Consultations", "Un an plus tôt", "Évolution"],
        lines,
    )
    return Section("previous", "Comparaison avec les mêmes mois de l'année précédente", [table])


def _breakdown_table(
    context: _Context, values: _Values, indicator: str, count_header: str, share_of: int | None
) -> Table | None:
    counts = values.categories(indicator, context.territory)
    if not counts:
        return None
    headers = [labels.indicator(indicator), count_header] + (["Part"] if share_of is not None else [])
    lines = [
        [labels.category(indicator, code), value] + ([share(value, share_of)] if share_of is not None else [])
        for code, value in counts.items()
    ]
    return Table(labels.indicator(indicator), headers, lines)


def _profile(context: _Context, now: _Values, per_household: bool = False) -> Section:
    """Each consultation counted (per_household: without the breakdowns the households' profile counts)."""
    consultations = now("consultations", territory=context.territory)
    section = Section("profile", "Profil des consultations (chaque consultation comptée)")
    for indicator in BREAKDOWNS:
        if per_household and indicator in PER_HOUSEHOLD:
            continue
        table = _breakdown_table(context, now, indicator, "Consultations", consultations)
        if table is None:
            continue
        section.tables.append(table)
        if indicator in ("mode", "theme"):
            counts = now.categories(indicator, context.territory)
            section.charts.append(
                charts.shares(
                    f"{labels.indicator(indicator)} : part des consultations (%)",
                    {labels.category(indicator, code): value for code, value in counts.items()},
                    consultations,
                )
            )
    cross = None if per_household else _cross_table(context, now)
    if cross is not None:
        table, chart = cross
        section.tables.append(table)
        section.charts.append(chart)
    return section


def _household_profile(context: _Context, now: _Values) -> Section:
    """The eviction mission's profile tables, each household once with its latest known value."""
    # Each household once, in the territory of its latest consultation: the family situation's categories add up.
    households = sum(now.categories("households_family_situation", context.territory).values())
    section = Section(
        "household_profile",
        "Profil des ménages (chaque ménage compté une fois)",
        definitions=[
            "Chaque ménage suivi sur la période compte une fois, avec la valeur de sa dernière consultation de la "
            "période qui la renseigne (« Non renseigné » si aucune), dans le territoire de sa dernière consultation. "
            "Origine de la dette : un ménage compte pour chaque origine citée."
        ],
    )
    for indicator in HOUSEHOLD_PROFILE:
        table = _breakdown_table(context, now, indicator, "Ménages", households)
        if table is not None:
            section.tables.append(table)
    cross = _cross_table(context, now, labels.HOUSEHOLDS_CROSS, "ménages")
    if cross is not None:
        table, chart = cross
        section.tables.append(table)
        section.charts.append(chart)
    return section


def _cross_table(
    context: _Context, now: _Values, indicator: str = labels.CROSS, counted: str = "consultations"
) -> tuple[Table, charts.Chart] | None:
    """Family situation x private/social housing, from the `family_situation_by_sector` rows (or the households')
    when present."""
    counts = now.categories(indicator, context.territory)
    if not counts:
        return None
    families = [c for c in labels.categories("family_situation") if any(key.partition("|")[0] == c for key in counts)]
    sectors = list(labels.categories("housing_sector"))
    lines = [
        [
            labels.category("family_situation", family),
            *(counts.get(f"{family}|{sector}", 0) for sector in sectors),
            sum(counts.get(f"{family}|{sector}", 0) for sector in sectors),
        ]
        for family in families
    ]
    lines.append(["Total", *(sum(counts.get(f"{f}|{s}", 0) for f in families) for s in sectors), sum(counts.values())])
    headers = ["Situation familiale", *(labels.category("housing_sector", s) for s in sectors), "Total"]
    table = Table(labels.indicator(indicator), headers, lines)
    chart = charts.grouped(
        f"Situation familiale selon le parc ({counted})",
        [line[0] for line in lines[:-1]],
        {headers[1 + i]: [line[1 + i] for line in lines[:-1]] for i in range(2)},
    )
    return table, chart


def _reached_text(reached: int, known: int) -> str:
    if not known:
        return "aucun premier contact situé par rapport au commandement"
    return f"{reached} sur {known} ({reached * 100 / known:.0f} %)"


REACHED_DEFINITION = (
    "Premiers contacts avant le commandement de payer : ménages dont le premier contact avec la mission a eu lieu "
    "avant le commandement de payer, d'après la date du commandement quand le dossier la porte, sinon d'après le "
    "stade noté à ce premier contact ; rapportés aux premiers contacts dont la place par rapport au commandement "
    "est connue (les ménages dont seul le congé du bailleur est connu n'y comptent pas). Mesure propre au "
    "service, et non une statistique nationale."
)
DEBT_MONTHS_DEFINITION = (
    "Dette en mois de loyer : la dernière dette connue du ménage divisée par le loyer charges comprises connu à "
    "la même consultation (ou à la précédente qui le renseigne). Le montant de l'aide au logement n'étant pas "
    "saisi, l'aide versée au bailleur n'en est pas déduite."
)


def _households(context: _Context, rows: list[tidy.Row], mission: str, now: _Values) -> Section:
    """The eviction mission counted per household: each once, with its latest debt, and the households
    reached before the commandement de payer (the prevention measure), per territory and month."""
    place = context.territory
    section = Section(
        "households",
        "Ménages suivis (chaque ménage compté une fois)",
        definitions=[DEBT_MONTHS_DEFINITION, REACHED_DEFINITION],
    )
    section.tables.append(
        Table(
            "Ménages suivis",
            ["Indicateur", "Valeur"],
            [[labels.indicator(n), now(n, territory=place)] for n in HOUSEHOLD_FIGURES],
        )
    )
    for indicator in HOUSEHOLD_BREAKDOWNS:
        table = _breakdown_table(context, now, indicator, "Ménages", None)
        if table is None:
            continue
        section.tables.append(table)
        counts = {line[0]: line[1] for line in table.lines}
        if indicator == "debt_months":
            section.charts.append(charts.bars("Dette en mois de loyer (nombre de ménages)", counts))
        elif indicator == "first_contact_stage":
            section.charts.append(charts.bars("Stade de la procédure au premier contact (nombre de ménages)", counts))
    reached = tidy.reached_before_commandement(rows, mission)
    places = [
        (
            place,
            "Pas-de-Calais (tous territoires)"
            if place == tidy.ALL
            else labels.territory(place, context.territory_names),
        )
    ]
    if place == tidy.ALL:
        places += list(context.territory_names.items())
    lines: list[list[Cell]] = [[name, _reached_text(*reached.get((tidy.TOTAL, code), (0, 0)))] for code, name in places]
    lines += [
        [f"Mois {labels.period(m)}", _reached_text(*reached[(m, place)])]
        for m in context.months
        if (m, place) in reached
    ]
    section.tables.append(
        Table(
            "Premiers contacts avant le commandement de payer (parmi les premiers contacts situés par rapport au "
            "commandement)",
            ["Territoire ou mois", "Premiers contacts avant le commandement de payer"],
            lines,
        )
    )
    if place == tidy.ALL:
        shares = {
            name: round(reached[(tidy.TOTAL, code)][0] * 100 / reached[(tidy.TOTAL, code)][1], 1)
            for code, name in context.territory_names.items()
            if reached.get((tidy.TOTAL, code), (0, 0))[1]
        }
        section.charts.append(
            charts.bars("Premiers contacts atteints avant le commandement de payer (%)", shares, unit="%")
        )
    return section


def _places(context: _Context) -> list[tuple[str, str]]:
    """(code, name) of the lines of a table per territory: every territory then all, or the one shown."""
    if context.territory != tidy.ALL:
        return [(context.territory, labels.territory(context.territory, context.territory_names))]
    return [*context.territory_names.items(), (tidy.ALL, "Tous territoires")]


RESULTS_DEFINITION = (
    "Résultat : où en est le ménage au dernier jour de la période, d'après les actes et événements datés de son "
    "dossier jusqu'à ce jour (le plus récent l'emporte), tels que connus à l'export ; chaque ménage suivi sur la "
    "période compte une fois, dans le territoire de sa dernière consultation de la période."
)
KEPT_DEFINITION = (
    "Maintien dans les lieux : dette soldée, protocole de cohésion sociale, rétablissement personnel ou demande "
    "du bailleur rejetée. Accord en cours : plan d'apurement, délais accordés par le juge, mesures de "
    "surendettement ou aide du FSL accordée. Part maintenue dans son logement : ménages maintenus dans les lieux "
    "ou relogés, parmi les ménages dont la procédure a trouvé une issue (expulsion, relogement, départ volontaire "
    "ou maintien) ; les accords et procédures en cours et les ménages sans acte daté n'y entrent pas."
)


# Short column headers (the definitions above the tables say what each result includes).
RESULT_HEADERS = {
    "expulsion": "Expulsion",
    "relogement": "Relogé",
    "depart_volontaire": "Départ volontaire",
    "maintien": "Maintien dans les lieux",
    "accord_en_cours": "Accord en cours",
    "procedure_en_cours": "Procédure en cours",
    "inconnu": "Aucun acte daté",
}


def kept_home(values: dict[str, int | Decimal]) -> Ratio:
    """The share kept in their home: maintien + relogement over the households whose procedure ended (expelled,
    rehoused, left, kept). An agreement or a procedure in progress is no result yet: counted among the failures,
    a year's households still in procedure made a service that keeps most of those it can see through look as if
    it kept one in ten."""
    ended = sum(values.get(code, 0) for code in household_facts.ENDED)
    return share(sum(values.get(code, 0) for code in household_facts.KEPT_HOME), ended)


def _results(context: _Context, now: _Values) -> Section:
    """household_result per territory and per month, and the share kept in their home."""
    codes = list(labels.categories("household_result"))
    headers = [*(RESULT_HEADERS.get(code, code) for code in codes), "Ménages", "Part maintenue dans son logement"]

    def line(name: str, period: str, place: str) -> list[Cell]:
        found = {code: now("household_result", code, period, place) for code in codes}
        return [name, *found.values(), sum(found.values()), kept_home(found)]

    by_place = Table(
        "Résultat pour les ménages suivis, par territoire",
        ["Territoire", *headers],
        [line(name, tidy.TOTAL, code) for code, name in _places(context)],
    )
    by_month = Table(
        "Résultat pour les ménages suivis, par mois (au dernier jour du mois)",
        ["Mois", *headers],
        [line(labels.period(m), m, context.territory) for m in context.months],
    )
    return Section(
        "results",
        "Résultats pour les ménages suivis",
        [by_place, by_month],
        definitions=[RESULTS_DEFINITION, KEPT_DEFINITION],
    )


CALLS_DEFINITIONS = [
    "Appels reçus = appels répondus + appels manqués + appels abandonnés. Manqués : le numéro a proposé la "
    "messagerie ou le rappel, ou l'appel est arrivé hors des horaires. Abandonnés : l'appelant a raccroché dans le "
    "menu ou la file d'attente, a été orienté vers un autre service hors du Pas-de-Calais, ou l'appel a été renvoyé "
    "vers le numéro de secours.",
    "Attente médiane : secondes entre le début de l'appel et la réponse d'un juriste, pour les appels répondus. "
    "Rappels dans le jour ouvré suivant : rappels effectués au plus tard le jour ouvré (hors samedi, dimanche et "
    "jours fériés) qui suit l'appel, parmi les rappels effectués.",
]
WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]


def _call_line(now: _Values, name: str, period: str, place: str) -> list[Cell]:
    received, answered = (
        now("calls_received", period=period, territory=place),
        now("calls_answered", period=period, territory=place),
    )
    done = now("callbacks_done", period=period, territory=place)
    within = now("callbacks_within_one_working_day", period=period, territory=place)
    wait = now("call_wait_median_seconds", period=period, territory=place)
    return [
        name,
        *(now(n, period=period, territory=place) for n in CALL_FIGURES),
        share(answered, received),
        wait if answered else NOT_APPLICABLE,
        done,
        share(within, done),
    ]


CALL_HEADERS = [
    "Reçus",
    "Répondus",
    "Manqués",
    "Abandonnés",
    "Taux de réponse",
    "Attente médiane (s)",
    "Rappels effectués",
    "Dont dans le jour ouvré suivant",
]


def _calls(context: _Context, now: _Values) -> Section:
    """The green number: calls that add up, per territory and per month, and the hours of the week when they
    go unanswered."""
    tables = [
        Table(
            "Appels par territoire",
            ["Territoire", *CALL_HEADERS],
            [_call_line(now, name, tidy.TOTAL, code) for code, name in _places(context)],
        ),
        Table(
            "Appels par mois",
            ["Mois", *CALL_HEADERS],
            [_call_line(now, labels.period(m), m, context.territory) for m in context.months],
        ),
    ]
    if any(now("sms_information_sent", territory=code) for code, _ in _places(context)):
        tables.append(
            Table(
                labels.indicator("sms_information_sent"),
                ["Territoire", "SMS"],
                [[name, now("sms_information_sent", territory=code)] for code, name in _places(context)],
            )
        )
    unanswered = now.categories(tidy.UNANSWERED_BY_HOUR, context.territory)
    if unanswered:
        hours = sorted({int(key.partition("|")[2]) for key in unanswered})
        tables.append(
            Table(
                "Appels sans réponse (manqués ou abandonnés) par jour et heure de début",
                ["Jour", *(f"{hour} h" for hour in hours), "Total"],
                [
                    [
                        WEEKDAYS[day - 1],
                        *(unanswered.get(f"{day}|{hour:02d}", 0) for hour in hours),
                        sum(unanswered.get(f"{day}|{hour:02d}", 0) for hour in hours),
                    ]
                    for day in range(1, 8)
                ],
            )
        )
    found = []
    if unanswered:
        found.append(
            charts.heatmap(
                "Appels sans réponse par jour et heure de début",
                WEEKDAYS,
                [f"{hour} h" for hour in hours],
                [[unanswered.get(f"{day}|{hour:02d}", 0) for hour in hours] for day in range(1, 8)],
            )
        )
    return Section("calls", "Numéro vert : appels et rappels", tables, found, definitions=CALLS_DEFINITIONS)
