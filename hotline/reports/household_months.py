"""The household indicators of the reports (cases.figures), read from report_household_months: one row
per household, mission and month in which the household had a consultation (cases.figures.HouseholdMonth).

A household's months depend on its whole history (a first contact is the first ever; a stage or a rent
carries over from earlier consultations), so they are not kept as deltas: whenever a flush writes one
of its consultations (or what a consultation says of the rent), the household's months are computed
again from its consultations, read through the index on (household_id, mission, date), in the same
transaction (session events below, installed by listen()). The import, which writes in bulk without the ORM,
says so once at its end (core.signals.consultations_imported), and reports.subscribers calls
refresh_written() for the households it touched. rebuild() recomputes the whole table (`hotline reports rebuild`).

The rows are also counted, by deltas in the same statements, in report_household_counts: per mission,
month, what a figure groups by (territory, stage, band...) and the household's next month (`until`). A
report reads those counts, a few thousand rows whatever the number of households: a household counts in
a month as in that month's row, and in the whole range (`total`) as in its latest row of the range (its
stage; the rows whose next month is after the range, or none), and its latest row of the range that names
a debt (its debt). Only the medians read the months themselves: the debts of the range in order, from an
index. No personal data: codes, months, territories and household numbers only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import groupby, islice

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy import inspect as reflect
from sqlalchemy.orm import Session

from hotline.cases import figures
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.consultations.imports import bulk
from hotline.consultations.models import Consultation, ConsultationCode, Household
from hotline.core.kept import Kept
from hotline.reports import counters, household_facts, tidy
from hotline.reports.rollup_models import ReportCaseResult, ReportHouseholdCount, ReportHouseholdMonth

TABLE = ReportHouseholdMonth.__table__
COUNTS = ReportHouseholdCount.__table__
CONSULTATIONS = Consultation.__table__
HOUSEHOLDS = Household.__table__
STATEMENTS = CaseStatement.__table__
CASES, ACTS, CODES = Case.__table__, ProcedureAct.__table__, ConsultationCode.__table__
RESULTS = ReportCaseResult.__table__
LAST_DAY = "9999-12-31"  # report_case_results.until of a case's latest result
PENDING = "hotline.household_months"  # in session.info: (household keys, consultation ids, case ids) to recompute
WATCHED = (
    "household_id",
    "mission",
    "date",
    "territory_code",
    "procedure_stage",
    "debt_amount",
    "mode",
    *household_facts.PROFILE[:5],
)
CHUNK = 500  # households per query (bound parameters)
BATCH = 5000  # rows per insert


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _history(where) -> select:
    """Consultations with the rent said at each, a household's consecutive, in its order (date, id)."""
    c = CONSULTATIONS.c
    return (
        select(
            c.id,
            c.household_id,
            c.mission,
            c.date,
            c.territory_code,
            c.procedure_stage,
            c.debt_amount,
            c.mode,
            STATEMENTS.c.rent_amount,
            *(c[name] for name in household_facts.PROFILE[:5]),
            select(func.aggregate_strings(CODES.c.code, "|"))
            .where(CODES.c.consultation_id == c.id, CODES.c.kind == "debt_origin")
            .scalar_subquery()
            .label("debt_origins"),
        )
        .select_from(CONSULTATIONS.outerjoin(STATEMENTS, STATEMENTS.c.consultation_id == c.id))
        .where(where)
        .order_by(c.household_id, c.mission, c.date, c.id)
    )


def _acts(session, household_ids) -> dict[str, list[tuple[str, object]]]:
    """household key -> its case's current acts and events (code, day); household_ids: a list of ids, a
    select of them, or None (every case)."""
    query = select(CASES.c.household_id, ACTS.c.stage, ACTS.c.occurred_on).select_from(
        ACTS.join(CASES, CASES.c.id == ACTS.c.case_id)
    )
    query = query.where(ACTS.c.replaced_at.is_(None))
    if household_ids is not None:
        query = query.where(CASES.c.household_id.in_(household_ids))
    found: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for household_id, code, day in session.execute(query):
        found[f"h{household_id}"].append((code, day))
    return found


def _results(acts: dict[str, list[tuple[str, object]]]) -> list[dict]:
    """report_case_results' rows of these cases."""
    rows = []
    for household, found in acts.items():
        entries = household_facts.timeline(found)
        for (since, result), following in zip(entries, [*entries[1:], None], strict=True):
            until = f"{following[0]:%Y-%m-%d}" if following else LAST_DAY
            rows.append({"household": household, "since": f"{since:%Y-%m-%d}", "until": until, "result": result})
    return rows


def _months(rows: Iterable, acts: dict[str, list[tuple[str, object]]] | None = None) -> Iterator[dict]:
    """The table's rows for the households of `rows` (_history's order), with (eviction) their profile and
    first contact read against their cases' acts."""
    acts = acts or {}

    def key(row):
        return figures.household_key(row.household_id, row.id), row.mission

    for (household, mission), grouped in groupby(rows, key=key):
        records = list(grouped)
        history = [
            figures.HouseholdRecord(
                household=household,
                mission=mission,
                date=r.date,
                order=r.id,
                territory=r.territory_code,
                stage=r.procedure_stage,
                debt=r.debt_amount,
                rent=r.rent_amount,
                received=r.mode in tidy.RECEIVED_MODES,
            )
            for r in records
        ]
        profiles: dict = {}
        reach = None
        if mission == figures.EVICTION_MISSION:
            profiles = household_facts.profile_months(
                [
                    household_facts.ProfileRecord(
                        f"{r.date:%Y-%m}",
                        *(getattr(r, name) for name in household_facts.PROFILE[:5]),
                        debt_origins=frozenset((r.debt_origins or "").split("|")) - {""},
                    )
                    for r in records
                ]
            )
            commandements = [day for code, day in acts.get(household, ()) if code == household_facts.COMMANDEMENT]
            reach = household_facts.reach(history[0].date, history[0].stage, commandements)
            steps = _steps(
                (f"{since:%Y-%m}", result) for since, result in household_facts.timeline(acts.get(household, ()))
            )
        for month in figures.household_months(mission, household, history):
            row = month._asdict()
            if mission == figures.EVICTION_MISSION:
                row[STEPS] = steps
            row["debt"] = None if month.debt is None else tidy.cents(month.debt)
            row["reach"] = reach if month.first_territory is not None else None
            profile = profiles.get(month.month, {})
            for name in household_facts.PROFILE:
                row[name], row[f"{name}_since"] = profile.get(name, (None, None))
            yield row


ONE = (1, 0, 0)  # what most keys add: one household month, not received, no debt


def _counted(row) -> Iterator[tuple[tuple, tuple[int, int, int]]]:
    """What one household month (a row of the table) adds to report_household_counts: (key, (n, received,
    cents)), the key (mission, month, kind, until, place, category)."""
    mission, month, until = row["mission"], row["month"], row["next_month"] or ""
    yield (mission, month, "seen", until, "", row["last_received_month"] or ""), (1, int(bool(row["received"])), 0)
    if row["first_territory"] is not None:
        yield (mission, month, "first", "", row["first_territory"], row["first_stage"] or ""), ONE
        if row.get("reach") is not None:
            yield (mission, month, "reach", "", row["first_territory"], row["reach"]), ONE
    if mission == figures.EVICTION_MISSION:
        yield (mission, month, "stage", until, row["territory"], row["stage"]), ONE
        if row["debt"] is not None:
            yield (
                (mission, month, "debt", row["next_debt_month"] or "", row["debt_territory"], row["debt_band"]),
                (1, 0, int(row["debt"])),
            )
        yield from _profile_counted(row, until)


PROFILE_KIND = "p"  # report_household_counts.kind of a profile figure: "p" and its index in household_facts.PROFILE
HOUSEHOLD = "*"  # the category of a profile count that counts the household itself, not one of its codes
# Per profile field: its name, its column "<name>_since" and its kind "p<index>" (built once, not at every row).
_PROFILE_FIELDS = tuple(
    (name, f"{name}_since", f"{PROFILE_KIND}{index}") for index, name in enumerate(household_facts.PROFILE)
)


def _profile_counted(row, until: str) -> Iterator[tuple[tuple, tuple[int, int, int]]]:
    """The profile figures' counts of an eviction household month (_profiles reads them): per profile field,
    the household once (category "<since>|*", since blank when no value) and each of its value's codes
    ("<since>|<code>"): a range counts the codes of the rows whose value is stated in it, the household as
    `inconnu` otherwise."""
    mission, month, place = row["mission"], row["month"], row["territory"]
    for name, since_name, kind in _PROFILE_FIELDS:
        value = row.get(name)
        if value is None:
            yield (mission, month, kind, until, place, f"|{HOUSEHOLD}"), ONE
            continue
        since = row.get(since_name) or ""
        yield (mission, month, kind, until, place, f"{since}|{HOUSEHOLD}"), ONE
        for code in household_facts.categories(name, value):
            yield (mission, month, kind, until, place, f"{since}|{code}"), ONE


RESULT_KIND = "result"  # report_household_counts.kind of household_result (_result_counted)
STEPS = "result_steps"  # in a computed row (not a column): its household's _steps, which _result_counted counts
FOREVER = "9999-99"  # a result step's end when no later step ends it


def _steps(entries: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A case's result at each month's end: [(from that month, result)], from its timeline [(month of the day it
    changes, result)] in date order: the last change of a month is its end's, a month without one keeps the one
    before (as report_case_results read at `month || '-31'`)."""
    by_month: dict[str, str] = {}
    for month, result in entries:
        by_month[month] = result  # the timeline's order: the month's last change wins
    steps: list[tuple[str, str]] = []
    for month, result in by_month.items():
        if not steps or steps[-1][1] != result:
            steps.append((month, result))
    return steps


def _result_counted(row, steps: list[tuple[str, str]]) -> Iterator[tuple[tuple, tuple[int, int, int]]]:
    """What an eviction household month adds to household_result's counts: for each result its case has at the end
    of a month from the row's month up to the household's next month (excluded), the months it holds there, as the
    category `from|to|result` (to excluded, FOREVER when the next row or none ends it). A month's result is the one
    whose `from` is that month (the row's own month); a range's, for a household's latest row of the range (its
    until after the range or ''), the one with from <= the range's last month < to. The dates of the acts decide,
    never the day the counts are written or read."""
    month, until = row["month"], row["next_month"] or ""
    for index, (since, result) in enumerate(steps):
        following = steps[index + 1][0] if index + 1 < len(steps) else FOREVER
        start = max(since, month)
        if until and start >= until:
            break
        if following <= start:
            continue
        end = following if not until or following < until else FOREVER
        yield (row["mission"], month, RESULT_KIND, until, row["territory"], f"{start}|{end}|{result}"), ONE


def _count(
    deltas: dict[tuple, list[int]], rows: Iterable, sign: int, steps: dict[str, list[tuple[str, str]]] | None = None
) -> None:
    """Count these rows into deltas (sign 1 or -1); their results from their STEPS (rows computed by _months), or
    for rows read from the table, from `steps` (_stored_steps of their households)."""
    for row in rows:
        if row["mission"] == figures.EVICTION_MISSION:
            found = row.get(STEPS, ()) if steps is None else steps.get(row["household"], ())
            for key, _ in _result_counted(row, found):
                deltas[key][0] += sign
        for key, values in _counted(row):
            total = deltas[key]
            if values is ONE:
                total[0] += sign
            else:
                n, received, cents = values
                total[0] += sign * n
                total[1] += sign * received
                total[2] += sign * cents


def _insert(session, rows: Iterable[dict], deltas: dict[tuple, list[int]], columns: set[str] | None = None) -> None:
    """Insert the rows (only these columns, when given), and count them into deltas."""
    batch = []
    names = set(TABLE.c.keys()) if columns is None else columns
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            session.execute(insert(TABLE), [{name: row[name] for name in names} for row in batch])
            _count(deltas, batch, 1)
            batch = []
    if batch:
        session.execute(insert(TABLE), [{name: row[name] for name in names} for row in batch])
        _count(deltas, batch, 1)


def _add(session, deltas: dict[tuple, list[int]]) -> None:
    counters.add(session, COUNTS, {key: tuple(values) for key, values in deltas.items()})


def refresh(session, households: Iterable[str]) -> None:
    """Compute these households' months again (every mission) from their consultations. `session`: a
    Session (or a Connection)."""
    c = CONSULTATIONS.c
    dialect = session.dialect if hasattr(session, "dialect") else session.get_bind().dialect
    for chunk in _chunks(sorted(set(households))):
        ids = [int(key[1:]) for key in chunk if key.startswith("h")]
        alone = [int(key[1:]) for key in chunk if key.startswith("c")]
        if ids and dialect.name == "postgresql":
            # Two transactions writing for one household compute its months one after the other (the
            # second then sees the first's rows and consultations), instead of both inserting them.
            session.execute(
                select(HOUSEHOLDS.c.id)
                .where(HOUSEHOLDS.c.id.in_(ids))
                .order_by(HOUSEHOLDS.c.id)
                .with_for_update(key_share=True)
            )  # FOR NO KEY UPDATE: not against the FKs
        deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        before = _stored_steps(session, chunk)  # the results their counts were made with
        gone = session.execute(delete(TABLE).where(TABLE.c.household.in_(chunk)).returning(*TABLE.c))
        _count(deltas, (row._mapping for row in gone), -1, before)
        where = or_(c.household_id.in_(ids), and_(c.id.in_(alone), c.household_id.is_(None)))
        acts = _acts(session, ids)
        _insert(session, _months(session.execute(_history(where)), acts), deltas)
        _add(session, deltas)
        session.execute(delete(RESULTS).where(RESULTS.c.household.in_(chunk)))
        found = _results(acts)
        if found:
            session.execute(insert(RESULTS), found)


def rebuild(session) -> None:
    """The whole table again from every consultation (streamed in the households' order), and the cases'
    results. Run by an earlier migration too, before this table had all its columns: it writes those it has."""
    bind = session if hasattr(session, "dialect") else session.connection()
    present = {column["name"] for column in reflect(bind).get_columns(TABLE.name)}
    columns = None if present >= set(TABLE.c.keys()) else present
    session.execute(delete(TABLE))
    session.execute(delete(COUNTS))
    acts = _acts(session, None) if columns is None else {}  # an earlier revision: no results yet
    if columns is None:
        session.execute(delete(RESULTS))
        found = _results(acts)
        for start in range(0, len(found), BATCH):
            session.execute(insert(RESULTS), found[start : start + BATCH])
    rows = session.execute(_history(CONSULTATIONS.c.id.is_not(None)).execution_options(yield_per=BATCH))
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    _insert(session, _months(rows, acts), deltas, columns)
    _add(session, deltas)


def recount(session, results_only: bool = False) -> None:
    """report_household_counts again from the households' months and the cases' results as they are (a migration
    adding a kind of count: the months need no recomputing); results_only: household_result's counts only (the
    migration that added them). `session`: a Session or a Connection."""
    if not results_only:
        session.execute(delete(COUNTS))
        rows = session.execute(select(TABLE).execution_options(yield_per=BATCH))
    else:
        session.execute(delete(COUNTS).where(COUNTS.c.kind == RESULT_KIND))
        query = select(TABLE.c.household, TABLE.c.mission, TABLE.c.month, TABLE.c.next_month, TABLE.c.territory)
        rows = session.execute(
            query.where(TABLE.c.mission == figures.EVICTION_MISSION).execution_options(yield_per=BATCH)
        )
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    found = (row._mapping for row in rows)
    while batch := list(islice(found, BATCH)):
        steps = _stored_steps(session, {row["household"] for row in batch})
        if results_only:
            for row in batch:
                for key, _ in _result_counted(row, steps.get(row["household"], ())):
                    deltas[key][0] += 1
        else:
            _count(deltas, batch, 1, steps)
    _add(session, deltas)


def _stored_steps(session, households: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """household key -> the _steps of its results as report_case_results holds them (what its counts were made
    with)."""
    keys = sorted(key for key in set(households) if key.startswith("h"))
    found: dict[str, list[tuple[str, str]]] = {}
    for chunk in _chunks(keys, CHUNK_WRITTEN):
        query = select(RESULTS.c.household, RESULTS.c.since, RESULTS.c.result).where(RESULTS.c.household.in_(chunk))
        entries: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for household, since, result in session.execute(query.order_by(RESULTS.c.household, RESULTS.c.since)):
            entries[household].append((since[:7], result))
        found.update((household, _steps(timeline)) for household, timeline in entries.items())
    return found


# --- kept current with the ORM's writes ------------------------------------------------------------


def _pending(session: Session) -> tuple[set[str], set[int], set[int]]:
    return session.info.setdefault(PENDING, (set(), set(), set()))


def _written(session: Session, _context) -> None:
    """The households whose consultations (or rents) this flush wrote; still in their pre-flush state."""
    for target in (*session.new, *session.dirty, *session.deleted):
        if isinstance(target, Consultation):
            state = inspect(target)
            changed = [state.attrs[name].history for name in WATCHED]
            if target in session.dirty and not any(history.has_changes() for history in changed):
                continue
            households = _pending(session)[0]
            households.add(figures.household_key(target.household_id, target.id))
            households.update(figures.household_key(before, target.id) for before in changed[0].deleted)
        elif isinstance(target, CaseStatement):
            if target in session.dirty and not inspect(target).attrs["rent_amount"].history.has_changes():
                continue
            _pending(session)[1].add(target.consultation_id)
        elif isinstance(target, ConsultationCode) and target.kind == "debt_origin":
            _pending(session)[1].add(target.consultation_id)
        elif isinstance(target, ProcedureAct):  # the case's results, and its first contact's reach
            _pending(session)[2].add(target.case_id)


def _recompute(session: Session, _context) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    households, consultations, cases = pending
    c = CONSULTATIONS.c
    for chunk in _chunks(sorted(consultations)):
        households.update(
            figures.household_key(household_id, cid)
            for cid, household_id in session.execute(select(c.id, c.household_id).where(c.id.in_(chunk)))
        )
    for chunk in _chunks(sorted(case_id for case_id in cases if case_id is not None)):
        households.update(
            f"h{household_id}"
            for (household_id,) in session.execute(select(CASES.c.household_id).where(CASES.c.id.in_(chunk)))
        )
    refresh(session, households)


def listen() -> None:
    """Keeps the households' months current with the ORM's writes, in every session (reports.subscribe)."""
    for name, receiver in (("after_flush", _written), ("after_flush_postexec", _recompute)):
        if not event.contains(Session, name, receiver):
            event.listen(Session, name, receiver)


# --- reading --------------------------------------------------------------------------------------


def _cents(value) -> Decimal:
    """Cents as the amount the consultations hold (2 places), so that a figure reads as build()'s."""
    return Decimal(int(value)).scaleb(-2)


def _median(low: int, high: int) -> Decimal:
    """The median of amounts in cents whose middle ones (the same one for an odd count) are low and high,
    as statistics.median gives it of the amounts."""
    return _cents(low) if low == high else (_cents(low) + _cents(high)) / 2


def read(session, months: list[str], missions: list[str], territory: str | None = None) -> list[figures.Figure]:
    """What cases.figures.build gives for these months (YYYY-MM, in order) and their `total`, from the table:
    every cell (territory None); or for a page, the medians of one territory's cells (or of `all`) only, and
    the other figures of every cell (`all`) or of that territory's.

    A household counts in the whole range as in its latest row of the range: the row whose next month is
    after the range (or none); for its debt, the latest that names one (its next month naming a debt)."""
    t = TABLE.c
    first, last = months[0], months[-1]
    k = COUNTS.c
    # The counts whose next months are all after the range (the households' latest rows of the range) summed by the
    # database, as _profiles does: a third as many rows to read (0.1 s of the page at 1M).
    latest = case((or_(k.until == "", k.until > last), 1), else_=0)
    query = (
        select(k.mission, k.month, k.kind, latest, k.place, k.category, func.sum(k.n), func.sum(k.cents))
        .where(
            k.mission.in_(missions), k.month >= first, k.month <= last, k.kind.in_(("first", "reach", "stage", "debt"))
        )
        .group_by(k.mission, k.month, k.kind, latest, k.place, k.category)
    )
    rows = [tuple(row) for row in session.execute(query)]
    counted, summed = _worked_out(("counts", first, last, tuple(missions)), rows, lambda: _counts(rows))
    counts: dict[tuple, int] = defaultdict(int, counted)
    sums = dict(summed)
    medians: dict[tuple, Decimal] = {}
    if figures.EVICTION_MISSION in missions:
        place = None if territory in (None, figures.ALL) else territory
        for key, n in [*_profiles(session, first, last, place), *_results_read(session, first, last, place, counts)]:
            counts[key] += n
        eviction = (t.mission == figures.EVICTION_MISSION, t.month >= first, t.month <= last)
        latest_debt = and_(t.debt.is_not(None), or_(t.next_debt_month.is_(None), t.next_debt_month > last))
        if territory is None:
            medians = _all_medians(session, eviction, latest_debt)
        else:
            medians = _medians(session, [cell for cell in sums if cell[2] == territory], counts, first, last)

    def shown(place: str) -> bool:
        return territory in (None, figures.ALL) or place == territory

    found = [figures.Figure(*key, n) for key, n in counts.items() if n and shown(key[2])]
    for cell, cents in sums.items():
        if shown(cell[2]):
            found.append(figures.Figure(*cell, "household_debt_sum", "", _cents(cents)))
        if cell in medians:
            found.append(figures.Figure(*cell, "household_debt_median", "", medians[cell]))
    return [figure for figure in found if figure.value]


def _counts(rows: list[tuple]) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """read()'s counts and debt sums of the cells from its GROUP BY's rows."""
    counts: dict[tuple, int] = defaultdict(int)
    sums: dict[tuple, int] = defaultdict(int)

    def count(mission, period, place, indicator, category, n):
        for where in (place, figures.ALL):
            counts[(mission, period, where, indicator, category)] += n

    for mission, month, kind, is_latest, place, category, n, cents in rows:
        n = int(n)
        # A household counts in the whole range as in its latest row of the range (its latest naming a debt).
        periods = (month, figures.TOTAL) if kind == "first" or is_latest else (month,)
        for period in periods:
            if kind == "first":  # a household has one first month: the total is the months' sum
                count(mission, period, place, "first_contacts", "", n)
                if mission == figures.EVICTION_MISSION:
                    count(mission, period, place, "first_contact_stage", category, n)
            elif kind == "reach":  # household_facts.reach
                if category == household_facts.REACHED:
                    count(mission, period, place, "reached_before_commandement", "", n)
                if category != household_facts.UNSITUATED:
                    count(mission, period, place, "first_contacts_situated", "", n)
            elif kind == "stage":
                count(mission, period, place, "households_by_stage", category, n)
            else:
                count(mission, period, place, "households_debt_known", "", n)
                count(mission, period, place, "debt_months", category, n)
                for where_ in (place, figures.ALL):
                    sums[(mission, period, where_)] += int(cents)
    return dict(counts), dict(sums)


# What read() worked out of its GROUP BYs' rows, per kind of work and its parameters: (the rows, what they gave). A
# page read again mostly reads the same counts: comparing the rows (tuples) is a few milliseconds, working them out
# again 0.1 s at 1M. A pure function of the rows: rows that differ in anything are worked out again.
_WORKED_OUT = Kept(200)


def _worked_out(key: tuple, rows: list[tuple], work):
    """work() (of these rows only), or what it gave the last time the same key had the same rows."""
    kept = _WORKED_OUT.get(key)
    if kept is not None and kept[0] == rows:
        return kept[1]
    found = work()
    _WORKED_OUT.keep(key, (rows, found))
    return found


def _profiles(session, first: str, last: str, territory: str | None) -> Iterator[tuple[tuple, int]]:
    """The households_* profile figures (household_facts.PROFILE) of the eviction mission: ((mission, period,
    place, indicator, category), n), each month's from its rows (a value stated in the month), the range's from
    the households' latest rows of the range (a value stated within the range); `inconnu` when none.

    Read from report_household_counts (_profile_counted: a few thousand rows), not from the months themselves
    (300 000 rows at 1M, 4.6 s of the page)."""
    k = COUNTS.c
    mission = figures.EVICTION_MISSION
    where = [k.mission == mission, k.month >= first, k.month <= last, k.kind.like(f"{PROFILE_KIND}%")]
    if territory is not None:
        where.append(k.place == territory)
    # The counts of a month whose next months are all after the range (the households' latest rows of the range)
    # summed by the database: half as many rows (0.4 s of the page at 1M, when all were read).
    latest = case((or_(k.until == "", k.until > last), 1), else_=0)
    query = (
        select(k.month, k.kind, latest, k.place, k.category, cast(func.sum(k.n), Integer))
        .where(*where)
        .group_by(k.month, k.kind, latest, k.place, k.category)
    )
    rows = [tuple(row) for row in session.execute(query)]
    yield from _worked_out(("profiles", first, last, territory), rows, lambda: _profile_figures(rows, first))


def _profile_figures(rows: list[tuple], first: str) -> list[tuple[tuple, int]]:
    """_profiles' figures from its GROUP BY's rows."""
    mission = figures.EVICTION_MISSION
    counted: dict[tuple, int] = defaultdict(int)
    for month, kind, is_latest, place, category, n in rows:
        name = household_facts.PROFILE[int(kind[len(PROFILE_KIND) :])]
        since, code = category.split("|", 1)
        periods = [(month, since == month)]
        if is_latest:  # the household's latest row of the range
            periods.append((figures.TOTAL, since >= first))
        for period, stated in periods:
            if code == HOUSEHOLD and not stated:
                counted[(period, place, name, household_facts.UNKNOWN)] += n
            elif code != HOUSEHOLD and stated:
                counted[(period, place, name, code)] += n
    return [
        ((mission, period, where_, f"households_{name}", category), n)
        for (period, place, name, category), n in counted.items()
        for where_ in (place, figures.ALL)
    ]


def _results_read(session, first: str, last: str, territory: str | None, counts: dict) -> Iterator[tuple[tuple, int]]:
    """household_result of the eviction mission's households: each month's at the month's last day, the range's
    at the range's (the household's latest row of the range), from report_household_counts (_result_counted: the
    writes keep them, a few thousand rows; joining the year's results with its households' months at each page was
    0.45 s of SQLite's CPU at 1M, 0.66 s on PostgreSQL); `inconnu`: the households of the cell (households_by_stage,
    already in counts) without a result."""
    k = COUNTS.c
    mission = figures.EVICTION_MISSION
    if not any(key[0] == mission and key[3] == "households_by_stage" for key in counts):
        return  # no household in the range (the year before the data begins): no result to look for
    where = [k.mission == mission, k.month >= first, k.month <= last, k.kind == RESULT_KIND]
    if territory is not None:
        where.append(k.place == territory)
    since, to, result = (func.substr(k.category, 1, 7), func.substr(k.category, 9, 7), func.substr(k.category, 17))
    n = cast(func.sum(k.n), Integer)
    by_month = select(k.month, k.place, result, n).where(*where, since == k.month).group_by(k.month, k.place, result)
    over_range = (
        select(literal(figures.TOTAL), k.place, result, n)
        .where(*where, or_(k.until == "", k.until > last), since <= last, to > last)
        .group_by(k.place, result)
    )
    known: dict[tuple, int] = defaultdict(int)
    for query in (by_month, over_range):
        for period, place, found, counted in session.execute(query):
            if not counted:
                continue
            for where_ in (place, figures.ALL):
                known[(mission, period, where_)] += counted
                yield (mission, period, where_, "household_result", found), int(counted)
    households: dict[tuple, int] = defaultdict(int)
    for (mission_, period, place, indicator, _), n in counts.items():
        if mission_ == mission and indicator == "households_by_stage":
            households[(mission_, period, place)] += n
    for cell, n in households.items():
        if n - known.get(cell, 0):
            yield (*cell, "household_result", household_facts.UNKNOWN), n - known.get(cell, 0)


def households(session, first: str, last: str, missions: list[str]) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(distinct households, of which received) per mission for each month (YYYY-MM) first..last and the whole
    range, over all territories, a consultation without household counted as one: the rows of each month, and
    each household's latest row of the range (received in the range: its latest month received is in it)."""
    k = COUNTS.c
    found: dict[tuple[str, str, str], tuple[int, int]] = {}
    query = select(k.mission, k.month, k.until, k.category, k.n, k.received).where(
        k.mission.in_(missions), k.month >= first, k.month <= last, k.kind == "seen"
    )
    for mission, month, until, last_received, n, received in session.execute(query):
        cells = [((mission, month, figures.ALL), received)]
        if until == "" or until > last:
            cells.append(((mission, figures.TOTAL, figures.ALL), n if last_received >= first else 0))
        for cell, received_ in cells:
            before = found.get(cell, (0, 0))
            found[cell] = (before[0] + n, before[1] + received_)
    return found


def _all_medians(session, eviction, latest_debt) -> dict[tuple, Decimal]:
    """Every cell's median: the debts of the range, once by month, once for the total (each household's latest
    naming one). The database joins each month's (or the range's) debts of a territory into one text
    (aggregate_strings: a few hundred rows, where reading the year's debts one by one in order was 0.5-0.9 s of a
    download at 1M); a cell's are sorted together here."""
    t = TABLE.c
    amounts: dict[tuple, list[int]] = defaultdict(list)
    for by_month, where in ((True, (t.debt.is_not(None),)), (False, (latest_debt,))):
        period = t.month if by_month else t.mission
        query = (
            select(period, t.debt_territory, func.aggregate_strings(cast(t.debt, String), ","))
            .where(*eviction, *where)
            .group_by(period, t.debt_territory)
        )
        for month, place, joined in session.execute(query):
            found = [int(cents) for cents in joined.split(",")]
            for where_ in (place, figures.ALL):
                amounts[(figures.EVICTION_MISSION, month if by_month else figures.TOTAL, where_)] += found
    medians = {}
    for cell, found in amounts.items():
        found.sort()
        medians[cell] = _median(found[(len(found) - 1) // 2], found[len(found) // 2])
    return medians


def _medians(session, cells: list[tuple], counts: dict, first: str, last: str) -> dict[tuple, Decimal]:
    """The medians of these cells, each read from an index in debt order up to its middle: a month's from
    the month's debts, the total's from the mission's debts (the latest of each household in the range)."""
    t = TABLE.c
    mission = figures.EVICTION_MISSION
    found = {}
    for cell in cells:
        _, period, place = cell
        n = counts[(*cell, "households_debt_known", "")]
        where = [t.mission == mission, t.debt.is_not(None)]
        if period == figures.TOTAL:
            where += [t.month >= first, t.month <= last, or_(t.next_debt_month.is_(None), t.next_debt_month > last)]
        else:
            where.append(t.month == period)
        if place != figures.ALL:
            where.append(t.debt_territory == place)
        middle = list(
            session.scalars(select(t.debt).where(*where).order_by(t.debt).limit(2 - n % 2).offset((n - 1) // 2))
        )
        found[cell] = _median(middle[0], middle[-1])
    return found


# --- an import's households, recomputed once ---------------------------------------------------------


def refresh_written(session, ids: list[tuple[int, int]]) -> None:
    """refresh() for the households of the consultations whose ids are in these ranges (first, last) (an
    import's new ones), once for the whole import: their old months counted off and deleted (two
    statements), their months computed again from ordered reads of their histories (streamed), inserted
    in batches, and their counts moved by one upsert (one per MAX_DELTAS keys). The households go
    CHUNK_WRITTEN at a time (their cases' acts and results with them), so that memory does not grow with
    the import."""
    c = CONSULTATIONS.c
    written = or_(*(c.id.between(first, last) for first, last in ids))
    keys = [
        select(literal(prefix).concat(cast(column, String))).where(written, where)
        for prefix, column, where in (
            ("h", c.household_id, c.household_id.is_not(None)),
            ("c", c.id, c.household_id.is_(None)),
        )
    ]
    old = or_(*(TABLE.c.household.in_(found) for found in keys))
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    before = (row._mapping for row in session.execute(select(TABLE).where(old).execution_options(yield_per=BATCH)))
    while batch := list(islice(before, BATCH)):
        _count(deltas, batch, -1, _stored_steps(session, {row["household"] for row in batch}))
        if len(deltas) > MAX_DELTAS:
            _flush_counts(session, deltas)
    session.execute(delete(TABLE).where(old))
    session.execute(delete(RESULTS).where(RESULTS.c.household.in_(keys[0])))
    households = list(
        session.scalars(
            select(c.household_id).where(written, c.household_id.is_not(None)).distinct().order_by(c.household_id)
        )
    )
    for start in range(0, len(households), CHUNK_WRITTEN):
        chunk = households[start : start + CHUNK_WRITTEN]
        acts = _acts(session, chunk)  # their cases as the import left them: first contacts, results
        _write_months(session, _history(c.household_id.in_(chunk)), acts, deltas)
        found = _results(acts)
        for at in range(0, len(found), BATCH):
            session.execute(insert(RESULTS), found[at : at + BATCH])
    _write_months(session, _history(and_(written, c.household_id.is_(None))), {}, deltas)
    _flush_counts(session, deltas)


CHUNK_WRITTEN = 5000  # an import's households recomputed together (bound parameters: SQLite takes 32 766)


def _write_months(session, history, acts: dict, deltas: dict[tuple, list[int]]) -> None:
    """The months of the households of `history` (_history's query), inserted through the driver in lists of
    BATCH rows (the history streams from a cursor of the connection the rows are copied through), and counted
    into deltas."""
    months = _months(session.execute(history.execution_options(yield_per=BATCH)), acts)
    while batch := list(islice(months, BATCH)):
        _count(deltas, batch, 1)
        bulk.insert(TABLE, MONTH_COLUMNS, [tuple(map(row.__getitem__, MONTH_COLUMNS)) for row in batch])
        if len(deltas) > MAX_DELTAS:
            _flush_counts(session, deltas)


MAX_DELTAS = 100_000  # count keys an import holds before it adds them to the table (some 30 MiB)


def _flush_counts(session, deltas: dict[tuple, list[int]]) -> None:
    """The counts moved so far added to report_household_counts, and forgotten: deltas add up, so adding them
    in several upserts leaves the same table (a key counted down to 0 is deleted, then inserted again), and
    memory stays bounded whatever the number of keys an import moves."""
    add_counts(session, COUNTS, deltas)
    deltas.clear()


MONTH_COLUMNS = tuple(TABLE.c.keys())  # the order of the tuples an import writes through the driver


def add_counts(session, table, deltas: dict[tuple, list[int] | tuple[int, ...]]) -> None:
    """counters.add() in a fixed number of statements whatever the number of keys (an import moves tens of
    thousands): PostgreSQL: one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT, one DELETE of the rows
    that reached 0; SQLite: the driver's executemany of the same upsert (its loop is in C). Keys in order,
    as counters.add writes them (two writers lock rows in the same order)."""
    keys = [column.name for column in table.primary_key.columns]
    counted = [column.name for column in table.columns if column.name not in keys]
    rows = [(*key, *delta) for key, delta in sorted(deltas.items()) if any(delta)]
    if not rows:
        return
    connection = session if hasattr(session, "dialect") else session.connection()
    postgres = connection.dialect.name == "postgresql"
    names = ", ".join(keys + counted)
    added = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in counted)
    lowered = [row[: len(keys)] for row in rows if row[len(keys)] < 0]
    if postgres:
        types = [column.type.compile(connection.dialect) for column in table.columns]
        arrays = ", ".join(f"CAST(:c{n} AS {kind}[])" for n, kind in enumerate(types))
        connection.execute(
            text(
                f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}) "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"
            ),
            {f"c{n}": list(column) for n, column in enumerate(zip(*rows, strict=True))},
        )
        if lowered:
            arrays = ", ".join(f"CAST(:k{n} AS {kind}[])" for n, kind in enumerate(types[: len(keys)]))
            connection.execute(
                text(
                    f"DELETE FROM {table.name} WHERE ({', '.join(keys)}) IN (SELECT * FROM unnest({arrays})) "
                    f"AND {counted[0]} = 0"
                ),
                {f"k{n}": list(column) for n, column in enumerate(zip(*lowered, strict=True))},
            )
        return
    driver = connection.connection.driver_connection
    marks = ", ".join("?" * (len(keys) + len(counted)))
    driver.executemany(
        f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}",
        rows,
    )
    if lowered:
        where = " AND ".join(f"{name} = ?" for name in keys)
        driver.executemany(f"DELETE FROM {table.name} WHERE {where} AND {counted[0]} = 0", lowered)
