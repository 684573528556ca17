"""The consultation part of the tidy report, read from a monthly rollup instead of every consultation.

Every consultation write or edit hands `apply()` (or `apply_many()`) the consultation's record
before and after (`snapshot()`), in the same transaction: its contribution is taken off and put back
as deltas, with upserts; an import, at its end, has the cells it touched recomputed (`rebuild_cells()`).
`rebuild()` recomputes the three tables from the consultations with set-based SQL. `rows()`, `table()`
and `summary()` read only these tables, and give exactly what `tidy.build()` gives from the records:

- additive indicators are summed from report_rollup (a year is some thousand rows);
- households: a consultation without household is a household of its own, counted once wherever it
  counts, so additive (report_rollup's `households` and `households_received`); the others are the
  distinct households of report_households (each month and territory's joined into a text by the database,
  gathered in a set per cell over the months or territories read);
- medians: each month and territory's distinct amounts of report_debts joined into a text by the database, a
  cell's months or territories' amounts sorted together: exact.

Services flush, callers commit. Tables in rollup_models.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from sqlalchemy import (
    BigInteger,
    Column,
    Delete,
    MetaData,
    String,
    Table,
    case,
    cast,
    delete,
    event,
    func,
    inspect,
    literal,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from hotline.cases.models import CaseStatement
from hotline.consultations.models import Consultation, ConsultationCode
from hotline.reports import counters, household_months, tidy
from hotline.reports.rollup_models import ReportDebt, ReportHousehold, ReportRollup

ROLLUP = ReportRollup.__table__
HOUSEHOLDS = ReportHousehold.__table__
DEBTS = ReportDebt.__table__
AMOUNT = "debt_amount_sum"  # the one additive indicator that is an amount (stored in cents)
# (by month, by territory): the cells themselves, each month over all territories, each territory over
# the whole range (`total`), and the whole range over all territories.
LEVELS = ((True, True), (True, False), (False, True), (False, False))
WHOLE = ((False, False),)
# The rows of report_rollup that are only a part of their indicator: households without a household record
# (the distinct ones are added at read).
DISTINCT = {"households", "households_received"}

Additive = dict[tuple[str, str], int | Decimal]


# --- records -------------------------------------------------------------------------------------------


def contribution(record: tidy.ConsultationRecord) -> tuple[Additive, tuple[str, bool], Decimal | None]:
    """What one consultation adds to its cell: additive indicators {(indicator, category): value},
    its household (key, received or not) and its debt amount. Pure."""
    additive: Additive = {("consultations", ""): 1}
    for name in tidy.SINGLE_CODES + tidy.CASE_CODES:
        code = record.codes.get(name)
        if code:
            additive[(name, code)] = 1
    cross = tidy.cross_category(record.codes)
    if cross:
        additive[(tidy.CROSS, cross)] = 1
    for name in tidy.MULTI_CODES:
        for code in record.multi.get(name, ()):
            additive[(name, code)] = 1
    if record.debt_amount is not None:
        additive[("debt_known", "")] = 1
        additive[(AMOUNT, "")] = record.debt_amount
    if record.habitat_indigne:
        additive[("habitat_indigne", "")] = 1
    if record.permis_louer:
        additive[("permis_louer", "")] = 1
    received = record.codes.get("mode") in tidy.RECEIVED_MODES
    return additive, (record.household, received), record.debt_amount


def snapshot(consultation: Consultation) -> tidy.ConsultationRecord:
    """The report's record of an ORM consultation, as bench/recount.py's consultation_records reads it. Take it
    after a flush (a new consultation needs its id) and, for an edit, before changing anything: the household is
    the one its row names (household_id), never a relationship still loaded with the household it had before."""
    household_id = consultation.household_id
    stated = (
        Session.object_session(consultation)
        .execute(
            select(*(CaseStatement.__table__.c[name] for name in tidy.CASE_CODES)).where(
                CaseStatement.__table__.c.consultation_id == consultation.id
            )
        )
        .first()
    )
    return tidy.ConsultationRecord(
        mission=consultation.mission,
        month=f"{consultation.date:%Y-%m}",
        territory=consultation.territory_code,
        household=f"h{household_id}" if household_id else f"c{consultation.id}",
        codes={**{name: getattr(consultation, name) for name in tidy.SINGLE_CODES}, **case_codes(stated)},
        multi={kind: frozenset(consultation.codes_of(kind)) for kind in tidy.MULTI_CODES},
        debt_amount=consultation.debt_amount,
        habitat_indigne=bool(consultation.habitat_indigne),
        permis_louer=bool(consultation.permis_louer),
    )


def case_codes(stated) -> dict[str, str]:
    """CASE_CODES of a consultation from its statement's (landlord_type, housing_benefit), or None when
    it has no statement: what it did not say is `inconnu`, as bench/recount.py's consultation_records reads it."""
    return {name: code or tidy.UNKNOWN for name, code in zip(tidy.CASE_CODES, stated or (None,) * 2, strict=True)}


# --- writes --------------------------------------------------------------------------------------------


def apply(session: Session, before: tidy.ConsultationRecord | None, after: tidy.ConsultationRecord | None) -> None:
    """One consultation recorded (before None), edited, or deleted (after None). Flushes only."""
    apply_many(session, [(before, after)])


def apply_many(
    session: Session, pairs: Iterable[tuple[tidy.ConsultationRecord | None, tidy.ConsultationRecord | None]]
) -> None:
    """Many (before, after) at once, as an import: deltas summed in Python, then one upsert per table
    and one delete of the rows that reached 0. Flushes only."""
    rollup: Counter = Counter()
    households: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    debts: Counter = Counter()
    for before, after in pairs:
        for record, sign in ((before, -1), (after, 1)):
            if record is None:
                continue
            cell = (record.mission, record.month, record.territory)
            additive, (household, received), debt = contribution(record)
            for (indicator, category), value in additive.items():
                rollup[(*cell, indicator, category)] += sign * (tidy.cents(value) if indicator == AMOUNT else value)
            if household.startswith("h"):
                counts = households[(*cell, int(household[1:]))]
                counts[0] += sign
                counts[1] += sign * received
            else:  # a household of its own: additive
                rollup[(*cell, "households", "")] += sign
                rollup[(*cell, "households_received", "")] += sign * received
            if debt is not None:
                debts[(*cell, tidy.cents(debt))] += sign
    counters.add(session, ROLLUP, {key: (value,) for key, value in rollup.items()})
    counters.add(session, HOUSEHOLDS, {key: tuple(value) for key, value in households.items()})
    counters.add(session, DEBTS, {key: (value,) for key, value in debts.items()})


# What a consultation says of its case (landlord_type, housing_benefit) is written after the
# consultation, by cases.services, in the same transaction: each statement written moves its
# consultation's count from one code to the other, in the flush that writes it.


def _statement_moved(connection, consultation_id: int, before: dict[str, str], after: dict[str, str]) -> None:
    changed = [name for name in tidy.CASE_CODES if before[name] != after[name]]
    if not changed:
        return
    c = Consultation.__table__.c
    found = connection.execute(select(c.mission, c.date, c.territory_code).where(c.id == consultation_id)).first()
    if found is None:
        return
    mission, day, territory = found
    cell = (mission, f"{day:%Y-%m}", territory)
    deltas: Counter = Counter()
    for name in changed:
        deltas[(*cell, name, before[name])] -= 1
        deltas[(*cell, name, after[name])] += 1
    counters.add(connection, ROLLUP, {key: (value,) for key, value in deltas.items()})


def _said(target: CaseStatement) -> tuple:
    return tuple(getattr(target, name) for name in tidy.CASE_CODES)


def _statement_inserted(mapper, connection, target: CaseStatement) -> None:
    _statement_moved(connection, target.consultation_id, case_codes(None), case_codes(_said(target)))


def _statement_updated(mapper, connection, target: CaseStatement) -> None:
    state = inspect(target)
    before = []
    for name in tidy.CASE_CODES:
        history = state.attrs[name].history
        before.append(history.deleted[0] if history.deleted else getattr(target, name))
    _statement_moved(connection, target.consultation_id, case_codes(tuple(before)), case_codes(_said(target)))


def _statement_deleted(mapper, connection, target: CaseStatement) -> None:
    _statement_moved(connection, target.consultation_id, case_codes(_said(target)), case_codes(None))


def listen() -> None:
    """Keeps the cross table current with the case statements the ORM writes (reports.subscribe)."""
    for name, receiver in (
        ("after_insert", _statement_inserted),
        ("after_update", _statement_updated),
        ("after_delete", _statement_deleted),
    ):
        if not event.contains(CaseStatement, name, receiver):
            event.listen(CaseStatement, name, receiver)


SHARE_LOCK = "LOCK TABLE consultations, consultation_codes, case_statements IN SHARE MODE"  # PostgreSQL


def rebuild(session: Session) -> None:
    """Recompute the three tables from the consultations, set-based (one INSERT ... SELECT ... GROUP BY
    per indicator). Flushes only: the caller commits, and readers see the old tables until then.
    Consultations are not written meanwhile (SQLite has one writer; PostgreSQL: a SHARE lock)."""
    session.flush()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text(SHARE_LOCK))
    for table in (ROLLUP, HOUSEHOLDS, DEBTS):
        session.execute(delete(table))
    c = Consultation.__table__.c
    # SQLite keeps dates as 'YYYY-MM-DD' text: its month is the first 7 characters.
    month = func.to_char(c.date, "YYYY-MM") if postgres else func.substr(c.date, 1, 7)
    cell = (c.mission, month, c.territory_code)

    def insert(query):
        session.execute(
            ROLLUP.insert().from_select(["mission", "month", "territory", "indicator", "category", "value"], query)
        )

    def group(indicator, category, value, *where):
        insert(
            select(*cell, literal(indicator), literal("") if category is None else category, value)
            .where(*where)
            .group_by(*cell, *([] if category is None else [category]))
            .having(value != 0)
        )

    count = func.count()
    group("consultations", None, count)
    for name in tidy.SINGLE_CODES:
        group(name, c[name], count, c[name].is_not(None), c[name] != "")
    family, sector = c.family_situation, c.housing_sector  # tidy.cross_category
    group(
        tidy.CROSS,
        family.concat("|").concat(sector),
        count,
        family.is_not(None),
        family != "",
        sector.is_not(None),
        sector != "",
    )
    statements = CaseStatement.__table__
    with_statements = Consultation.__table__.outerjoin(statements, statements.c.consultation_id == c.id)
    for name in tidy.CASE_CODES:
        said = func.coalesce(statements.c[name], literal(tidy.UNKNOWN))
        insert(select(*cell, literal(name), said, count).select_from(with_statements).group_by(*cell, said))
    codes = ConsultationCode.__table__
    group_codes = (
        select(*cell, codes.c.kind, codes.c.code, count)
        .select_from(codes.join(Consultation.__table__, codes.c.consultation_id == c.id))
        .where(codes.c.kind.in_(tidy.MULTI_CODES))
        .group_by(*cell, codes.c.kind, codes.c.code)
    )
    insert(group_codes)
    amount = cast(func.round(c.debt_amount * 100), BigInteger)
    group("debt_known", None, count, c.debt_amount.is_not(None))
    group(AMOUNT, None, func.sum(amount), c.debt_amount.is_not(None))
    group("habitat_indigne", None, count, c.habitat_indigne.is_(True))
    group("permis_louer", None, count, c.permis_louer.is_(True))

    received = c.mode.in_(tidy.RECEIVED_MODES)
    group("households", None, count, c.household_id.is_(None))
    group("households_received", None, count, c.household_id.is_(None), received)
    session.execute(
        HOUSEHOLDS.insert().from_select(
            ["mission", "month", "territory", "household", "consultations", "received"],
            select(*cell, c.household_id, count, func.sum(case((received, 1), else_=0)))
            .where(c.household_id.is_not(None))
            .group_by(*cell, c.household_id),
        )
    )
    session.execute(
        DEBTS.insert().from_select(
            ["mission", "month", "territory", "amount", "n"],
            select(*cell, amount, count).where(c.debt_amount.is_not(None)).group_by(*cell, amount),
        )
    )
    session.flush()


# --- reads ---------------------------------------------------------------------------------------------


def rows(session: Session, first: date, last: date, missions: list[str]) -> list[tidy.Row]:
    """Every row tidy.build makes from the consultations of the months first..last (first days of
    months, both included): each month and `total`, each territory and `all`. Sorted as tidy sorts."""
    return _rows(session, first, last, missions, LEVELS)


def export_rows(session: Session, first: date, last: date, missions: list[str]) -> list[tidy.Row]:
    """rows() as the downloads read it: the same rows, but the distinct households of each month and of the whole
    range over all territories counted in the households' months (household_months.households, a few thousand
    counts) instead of grouping report_households by household over the territories (0.9 s of a year's download
    at 1M); each territory's are gathered here (_distinct_households). tests/test_reports_export_reads.py compares
    them with rows()'s."""
    return _rows(session, first, last, missions, LEVELS, households_by_month=True)


def summary(session: Session, first: date, last: date, missions: list[str]) -> list[tidy.Row]:
    """The same rows for the whole range over all territories only (`total`, `all`): the key figures."""
    return _rows(session, first, last, missions, WHOLE)


def page_rows(
    session: Session, first: date, last: date, missions: list[str], territory: str | None = None
) -> list[tidy.Row]:
    """The rows of rows() the managers' page shows, in no order (services.page sorts them with its others): every
    additive indicator, but distinct households only where it shows them, and no median per consultation (the bilan
    shows the households' debts, not the consultations': reading the amounts in order took the page 0.4 s at 1M). All
    territories (territory None): each cell's additive indicators, and households per month and for the whole range
    over all territories. A territory: its cells and its whole range only."""
    if territory is None:
        whole = ((True, False), (False, False))
        return _rows(
            session, first, last, missions, LEVELS, whole, households_by_month=True, medians=False, ordered=False
        )
    levels = ((True, True), (False, True))
    return _rows(session, first, last, missions, levels, levels, territory, medians=False, ordered=False)


def table(session: Session, first: date, last: date, missions: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """Consultations per mission, territory (and `all`) and month (and `total`), as the managers' page
    shows them: {mission: {territory: {period: count}}}. Reads report_rollup only."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    query = select(ROLLUP.c.mission, ROLLUP.c.month, ROLLUP.c.territory, ROLLUP.c.value).where(
        *_range(ROLLUP, first, last, missions), ROLLUP.c.indicator == "consultations"
    )
    for mission, month, territory, value in session.execute(query):
        for level in LEVELS:
            _, period, place = _cell(mission, month, territory, level)
            periods = found.setdefault(mission, {}).setdefault(place, {})
            periods[period] = periods.get(period, 0) + value
    return found


def _range(table, first: date, last: date, missions: list[str], territory: str | None = None) -> tuple:
    within = (table.c.mission.in_(missions), table.c.month >= f"{first:%Y-%m}", table.c.month <= f"{last:%Y-%m}")
    return within if territory is None else (*within, table.c.territory == territory)


def _cell(mission: str, month: str, territory: str, level: tuple[bool, bool]) -> tuple[str, str, str]:
    by_month, by_territory = level
    return mission, month if by_month else tidy.TOTAL, territory if by_territory else tidy.ALL


def _keys(table, level: tuple[bool, bool]) -> list:
    by_month, by_territory = level
    return [table.c.mission, *([table.c.month] if by_month else []), *([table.c.territory] if by_territory else [])]


def _grouped(session: Session, query, level: tuple[bool, bool]):
    """(cell, other columns) of a query whose first columns are _keys(level)."""
    width = 1 + sum(level)
    for row in session.execute(query):
        keys = iter(row[:width])
        mission = next(keys)
        month = next(keys) if level[0] else tidy.TOTAL
        territory = next(keys) if level[1] else tidy.ALL
        yield (mission, month, territory), row[width:]


def _rows(
    session: Session,
    first: date,
    last: date,
    missions: list[str],
    levels,
    distinct_levels=None,
    territory: str | None = None,
    households_by_month: bool = False,
    medians: bool = True,
    ordered: bool = True,
) -> list[tidy.Row]:
    """The rows of the levels; distinct households and medians of distinct_levels only (default: all the
    levels; the others leave out households, households_received and debt_amount_median). territory: the
    cells of that territory only. households_by_month: the distinct households over all territories are
    counted in the households' months (a row a household and month, a consultation without household too)
    instead of by grouping report_households by household, which at 1M took the page a second: the page's
    read (and the downloads', export_rows). rows() and summary() keep this table's own count, which its tests
    compare with the records applied (and the page's tests with the consultations). medians False: no
    debt_amount_median at all. ordered False: in no order (the page sorts its rows once, these with the others)."""
    distinct_levels = levels if distinct_levels is None else distinct_levels
    values: dict[tuple, int | Decimal] = defaultdict(int)
    for mission, month, territory_code, indicator, category, value in session.execute(
        _sums(first, last, missions, levels, distinct_levels, territory)
    ):
        values[(mission, month, territory_code, indicator, category)] += value
    for key in [key for key in values if key[3] == AMOUNT]:
        values[key] = Decimal(values[key]) / 100
    by_month = [level for level in distinct_levels if not level[1]] if households_by_month and not territory else []
    if by_month:
        found = household_months.households(session, f"{first:%Y-%m}", f"{last:%Y-%m}", missions)
        for cell, (households, received) in found.items():
            if _level_of(cell) in by_month:
                values[(*cell, "households", "")] = households
                values[(*cell, "households_received", "")] = received
    grouped = [level for level in distinct_levels if level not in by_month]
    counted: Iterable = ()
    if grouped == [(True, True)]:  # the cells alone: a row of report_households is a household
        counted = _grouped(session, _households(first, last, missions, territory), (True, True))
    elif grouped:
        counted = _distinct_households(session, first, last, missions, grouped, territory).items()
    for cell, (households, received) in counted:
        values[(*cell, "households", "")] += households
        values[(*cell, "households_received", "")] += received
    if medians:
        debts = {
            key[:3]: number
            for key, number in values.items()
            if key[3] == "debt_known" and _level_of(key) in distinct_levels
        }
        for cell, median in _medians(session, first, last, missions, distinct_levels, debts, territory).items():
            values[(*cell, "debt_amount_median", "")] = median
    found = [tidy.Row(*key, value) for key, value in values.items() if value]
    return sorted(found, key=tidy._order) if ordered else found


def _sums(first: date, last: date, missions: list[str], levels, distinct_levels, territory: str | None):
    """The rollup's values summed per cell of each level by the database, in one statement (a UNION ALL of a
    GROUP BY per level): a year is some twenty thousand rows, each of which Python would add into four cells.
    The DISTINCT indicators' rows (a part of their figure) only at distinct_levels."""
    r = ROLLUP.c
    parts = []
    for level in dict.fromkeys([*levels, *distinct_levels]):
        by_month, by_territory = level
        month = r.month if by_month else literal(tidy.TOTAL)
        place = r.territory if by_territory else literal(tidy.ALL)
        where = list(_range(ROLLUP, first, last, missions, territory))
        if level not in levels:
            where.append(r.indicator.in_(DISTINCT))
        elif level not in distinct_levels:
            where.append(r.indicator.not_in(DISTINCT))
        keys = [r.mission, *([r.month] if by_month else []), *([r.territory] if by_territory else [])]
        parts.append(
            # PostgreSQL's sum of a bigint is a numeric (a Decimal): a count stays an int.
            select(r.mission, month, place, r.indicator, r.category, cast(func.sum(r.value), BigInteger))
            .where(*where)
            .group_by(*keys, r.indicator, r.category)
        )
    return union_all(*parts)


def _level_of(key: tuple) -> tuple[bool, bool]:
    return key[1] != tidy.TOTAL, key[2] != tidy.ALL


def _households(first: date, last: date, missions: list[str], territory: str | None = None):
    """Households (with one), and received households, per cell (mission, month, territory): each row is one."""
    h = HOUSEHOLDS.c
    keys = _keys(HOUSEHOLDS, (True, True))
    where = _range(HOUSEHOLDS, first, last, missions, territory)
    return select(*keys, func.count(), func.sum(case((h.received > 0, 1), else_=0))).where(*where).group_by(*keys)


def _distinct_households(
    session: Session, first: date, last: date, missions: list[str], levels, territory: str | None = None
) -> dict[tuple[str, str, str], tuple[int, int]]:
    """Households (with one), and received households, per cell of the levels, counted once over the months or
    territories a cell covers. The database joins each month and territory's households into one text, and its
    received ones into another (aggregate_strings: some two hundred rows a year); a cell's are gathered in sets,
    a territory at a time (its cells counted and their sets dropped before the next: 40 MB less at 1M).
    At 1M the year's territories took half the time of grouping report_households by household (a temporary
    B-tree over 525 000 rows)."""
    h = HOUSEHOLDS.c
    household = cast(h.household, String)
    query = (
        select(
            h.mission,
            h.month,
            h.territory,
            func.aggregate_strings(household, ","),
            func.aggregate_strings(case((h.received > 0, household)), ","),
        )
        .where(*_range(HOUSEHOLDS, first, last, missions, territory))
        .group_by(h.mission, h.month, h.territory)
        .order_by(h.mission, h.territory)
    )
    found: dict[tuple[str, str, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    counted: dict[tuple[str, str, str], tuple[int, int]] = {}

    def count(cells: list[tuple[str, str, str]]) -> None:
        for cell in cells:
            seen, seen_received = found.pop(cell)
            counted[cell] = (len(seen), len(seen_received))

    for (mission, place), read in groupby(session.execute(query), key=itemgetter(0, 2)):
        for _, month, _, households, received in read:
            households = households.split(",")
            received = received.split(",") if received else ()
            for level in levels:
                seen, seen_received = found[_cell(mission, month, place, level)]
                seen.update(households)
                seen_received.update(received)
        count([cell for cell in found if cell[0] == mission and cell[2] == place])  # this territory's: done
    count(list(found))
    return counted


def _medians(
    session: Session,
    first: date,
    last: date,
    missions: list[str],
    levels,
    debts: dict[tuple[str, str, str], int],
    territory: str | None = None,
) -> dict[tuple[str, str, str], Decimal]:
    """The median amount of each cell of the levels that has debts (debts: how many each has). The database joins
    each month and territory's distinct amounts into one text (aggregate_strings, a hundred rows a year instead of
    115 000 read one by one in Python: x0.3 at 1M), and the amounts counted more than once into another
    (amount:count); a cell takes its months' or territories' amounts, sorted, at its two middle positions (the same
    one for an odd count)."""
    d = DEBTS.c
    repeated = case((d.n > 1, cast(d.amount, String).concat(":").concat(cast(d.n, String))))
    query = (
        select(
            d.mission,
            d.month,
            d.territory,
            func.aggregate_strings(cast(d.amount, String), ","),
            func.aggregate_strings(repeated, ","),
        )
        .where(*_range(DEBTS, first, last, missions, territory))
        .group_by(d.mission, d.month, d.territory)
    )
    parts: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for mission, month, place, amounts, counted in session.execute(query):
        amounts = [int(amount) for amount in amounts.split(",")]
        for pair in counted.split(",") if counted else ():
            amount, number = pair.split(":")
            amounts += [int(amount)] * (int(number) - 1)
        for level in levels:
            cell = _cell(mission, month, place, level)
            if cell in debts:
                parts[cell] += amounts
    found: dict[tuple[str, str, str], Decimal] = {}
    for cell, amounts in parts.items():
        amounts.sort()
        number = len(amounts)
        found[cell] = Decimal(amounts[(number + 1) // 2 - 1] + amounts[number // 2]) / 200
    return found


# --- an import's cells, recomputed once ----------------------------------------------------------------


def rebuild_cells(session: Session, ids: list[tuple[int, int]]) -> None:
    """rebuild() for the cells (mission, month, territory) of the consultations whose ids are in these
    ranges (first, last) (an import's new ones), once, set-based: the cells' rows of the three tables
    deleted, then rebuild()'s own statements run over these cells' consultations only. Flushes only."""
    session.flush()
    postgres = session.get_bind().dialect.name == "postgresql"
    written = Consultation.__table__.alias("written")

    def month(table):  # as rebuild() reads it (SQLite keeps dates as text)
        return func.to_char(table.c.date, "YYYY-MM") if postgres else func.substr(table.c.date, 1, 7)

    cells = (
        select(written.c.mission, month(written), written.c.territory_code)
        .where(or_(*(written.c.id.between(first, last) for first, last in ids)))
        .distinct()
    )
    if session.execute(cells.limit(1)).first() is not None:
        if postgres:  # before the copy, as rebuild() takes it before its reads: no consultation written meanwhile
            session.execute(text(SHARE_LOCK))
        scoped = _scoped_copy(session, cells, month(Consultation.__table__))
        rebuild(_Scoped(session, cells, scoped))
        scoped.drop(session.connection())


SCOPED = "scoped_consultations"


def _scoped_copy(session: Session, cells, month) -> Table:
    """The consultations of these cells, copied once into a temporary table (no index): rebuild()'s twenty
    statements read it instead of filtering the whole consultations table twenty times (x1.7 a statement).
    Created in the transaction: dropped by rebuild_cells, or by the rollback of a failed import."""
    c = Consultation.__table__.c
    table = Table(SCOPED, MetaData(), *(Column(column.name, column.type) for column in c), prefixes=["TEMPORARY"])
    table.create(session.connection())
    session.execute(
        table.insert().from_select(
            list(c.keys()), select(*c).where(tuple_(c.mission, month, c.territory_code).in_(cells))
        )
    )
    return table


class _Scoped:
    """rebuild()'s session, narrowed to some cells: its deletes reach only their rows, and in its INSERT ...
    SELECTs the consultations table reads as those cells' consultations (`scoped`: a copy of them; the same SQL
    otherwise), so that the cells hold exactly what rebuild() would put in them."""

    def __init__(self, session: Session, cells, scoped: Table):
        self._session, self._cells, self._consultations = session, cells, scoped

    def __getattr__(self, name: str):
        return getattr(self._session, name)

    def execute(self, statement, *args, **kwargs):
        if isinstance(statement, Delete):
            t = statement.table
            statement = delete(t).where(tuple_(t.c.mission, t.c.month, t.c.territory).in_(self._cells))
        else:
            statement = replacement_traverse(statement, {}, self._narrowed)
        return self._session.execute(statement, *args, **kwargs)

    def _narrowed(self, element):
        table = Consultation.__table__
        if element is table:
            return self._consultations
        if isinstance(element, Column) and element.table is table:
            return self._consultations.c[element.name]
        return None
