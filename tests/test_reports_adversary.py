"""The reports' kept figures attacked (session 12): what session 11 keeps between requests (the call months'
summaries and their marks, the callbacks kept per process, the households' counts worked out, tidy.build's rows)
and what the writes count (the rollup, the households' months, counts and results) must give, after any sequence of
writes, reads, clock moves, rollbacks and reads by another process, the figures recounted from the rows.

The oracle: bench/recount.py's consultations and households recounted one by one, the calls counted by their SQL
GROUP BY without any summary (services.call_records without `now`), the callbacks counted again
(services._counted_callbacks); and for the kept state, a cold process (every per-process memory empty)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from import_helpers import import_bytes
from recount import consultation_records, household_recount
from sqlalchemy import delete, select

from hotline.cases import services as cases
from hotline.cases.models import ProcedureAct
from hotline.consultations import services as consultations
from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.reports import call_months, household_months, services, tidy

PARIS = ZoneInfo("Europe/Paris")
EVICTION, INFO = "prevention_expulsion", "info_logement"
MISSIONS = [INFO, EVICTION]
PLACES = [("62498", "lens-henin"), ("62160", "boulonnais"), (None, "non_renseigne")]
STAGES = [None, "impaye", "commandement_payer", "assignation", "inconnu"]
FAMILIES = ["personne_seule", "couple_avec_enfants", "inconnu"]
SECTORS = ["inconnu", "prive", "social"]
ORIGINS = [[], ["perte_emploi"], ["separation", "maladie_accident"]]
ACTS = ["commandement_payer", "assignation", "plan_apurement", "dette_soldee", "expulsion_effective", "fsl_accorde"]
MODES = ["telephone", "permanence", "visite_siege"]
DAYS = st.integers(-70, 12)  # a day of a consultation or an act: days from the clock's first day
# Where the clock starts: before the change of time of 29 March, before the one of 25 October, before the year's end;
# it runs over midnight, a month's end and (for the first two) a change of time.
STARTS = [
    datetime(2026, 3, 28, 22, 30, tzinfo=PARIS),
    datetime(2026, 10, 24, 23, 15, tzinfo=PARIS),
    datetime(2026, 12, 30, 21, 0, tzinfo=PARIS),
]


def ranges(start: datetime) -> list[tuple[date, date]]:
    """The ranges read: the months before, the month being settled and the month in progress."""
    month = start.date().replace(day=1)
    return [
        (month - relativedelta(months=2), month + relativedelta(months=1)),
        (month, month),
        (month + relativedelta(months=1), month + relativedelta(months=1)),
    ]


# The per-process memories (a second "process" reads with its own: they are swapped in and out).
MEMORIES = (services._CALLBACK_MONTHS, household_months._WORKED_OUT, call_months._PARSED)


@contextlib.contextmanager
def process(held: list[dict]):
    """Reads and writes as another process would: its own kept state (`held`: one dict per memory, and the built
    rows) swapped in for the time of the block."""
    saved = [dict(memory) for memory in MEMORIES]
    built = list(services._BUILT)
    for memory, mine in zip(MEMORIES, held[:-1], strict=True):
        memory.clear()
        memory.update(mine)
    services._BUILT[:] = held[-1]
    try:
        yield
    finally:
        for memory, mine in zip(MEMORIES, held[:-1], strict=True):
            mine.clear()
            mine.update(memory)
        held[-1][:] = services._BUILT
        for memory, before in zip(MEMORIES, saved, strict=True):
            memory.clear()
            memory.update(before)
        services._BUILT[:] = built


def recounted(first: date, last: date, now: datetime) -> list[tidy.Row]:
    """The report counted again from the rows, nothing kept: the consultations and households one by one, the calls
    by their GROUP BY without summaries, the callbacks counted again."""
    end = last + relativedelta(months=1)
    other = tidy.build(
        (),
        services.call_records(first, end, MISSIONS, PARIS),
        services._counted_callbacks(first, end, MISSIONS, PARIS),
        services.held_permanences(first, last, MISSIONS, now, PARIS),
        services.activity_records(first, end, MISSIONS),
        services.information_sms_records(first, end, MISSIONS, PARIS),
    )
    return tidy.merged(
        tidy.build(consultation_records(first, end, MISSIONS)), [*other, *household_recount(first, last, MISSIONS)]
    )


def empty_everything() -> None:
    db.session.rollback()
    from conftest import mutable_tables

    for table in mutable_tables():
        db.session.execute(delete(table))
    db.session.commit()


class Reports(RuleBasedStateMachine):
    """Consultations, acts, imports, calls and callbacks written through the services, the clock moving over
    midnight, a month's end and a change of time, two processes reading with their own kept state: after each step
    each process's report and pages are the recount's."""

    @initialize(start=st.sampled_from(STARTS))
    def start(self, start):
        self.now = self.start_at = start
        self.ranges = ranges(start)
        self.households = [consultations.create_household(name=f"Ménage {n}") for n in range(3)]
        self.made: list[int] = []
        self.imported = 0
        self.calls = 0
        self.processes = [[{} for _ in MEMORIES] + [[]] for _ in range(2)]
        db.session.commit()

    def day(self, offset: int) -> date:
        return self.start_at.date() + timedelta(days=offset)

    # --- consultations, cases, imports ----------------------------------------------------------------

    @rule(
        which=st.one_of(st.none(), st.integers(0, 2)),
        mission=st.sampled_from([EVICTION, EVICTION, INFO]),
        day=DAYS,
        place=st.sampled_from(PLACES),
        stage=st.sampled_from(STAGES),
        debt=st.one_of(st.none(), st.sampled_from([Decimal("120.50"), Decimal("900"), Decimal("35.10")])),
        family=st.sampled_from(FAMILIES),
        sector=st.sampled_from(SECTORS),
        origins=st.sampled_from(ORIGINS),
        mode=st.sampled_from(MODES),
    )
    def consult(self, which, mission, day, place, stage, debt, family, sector, origins, mode):
        insee, territory = place
        data = {
            "date": self.day(day),
            "mission": mission,
            "mode": mode,
            "commune_insee": insee,
            "territory_code": territory,
            "themes": ["impayes_expulsion"],
            "procedure_stage": stage if mission == EVICTION else None,
            "debt_amount": debt,
            "family_situation": family,
            "housing_sector": sector,
            "debt_origins": origins,
        }
        household = self.households[which] if which is not None else None
        self.made.append(consultations.record_consultation(data, None, household).id)
        db.session.commit()

    @precondition(lambda self: self.made)
    @rule(
        which=st.integers(0, 50),
        changes=st.fixed_dictionaries(
            {},
            optional={
                "date": DAYS,
                "mission": st.sampled_from(MISSIONS),
                "place": st.sampled_from(PLACES),
                "procedure_stage": st.sampled_from(STAGES),
                "debt_amount": st.one_of(st.none(), st.sampled_from([Decimal("120.50"), Decimal("48")])),
                "family_situation": st.sampled_from(FAMILIES),
                "housing_sector": st.sampled_from(SECTORS),
                "debt_origins": st.sampled_from(ORIGINS),
                "mode": st.sampled_from(MODES),
                "household": st.one_of(st.none(), st.integers(0, 2)),
            },
        ),
    )
    def edit(self, which, changes):
        consultation = db.session.get(Consultation, self.made[which % len(self.made)])
        data = dict(changes)
        if "date" in data:
            data["date"] = self.day(data["date"])
        if "place" in data:
            data["commune_insee"], data["territory_code"] = data.pop("place")
        if "household" in data:
            moved = data.pop("household")
            data["household_id"] = None if moved is None else self.households[moved].id
        consultations.update_consultation(consultation, data, None, None)
        db.session.commit()

    @precondition(lambda self: self.made)
    @rule(
        which=st.integers(0, 50),
        acts=st.dictionaries(st.sampled_from(ACTS), DAYS, max_size=2),
        rent=st.one_of(st.none(), st.sampled_from([Decimal("300"), Decimal("620")])),
        landlord=st.sampled_from([None, "bailleur_social", "personne_physique"]),
    )
    def state_the_case(self, which, acts, rent, landlord):
        consultation = db.session.get(Consultation, self.made[which % len(self.made)])
        if consultation.household_id is None:
            return
        household = db.session.get(type(self.households[0]), consultation.household_id)
        fields = {name: value for name, value in (("rent_amount", rent), ("landlord_type", landlord)) if value}
        stated = {code: min(self.day(day), consultation.date) for code, day in acts.items()}
        cases.record_acts(household, consultation, stated, **fields)
        db.session.commit()

    @rule(which=st.integers(0, 50))
    def delete_an_act(self, which):
        current = db.session.scalars(
            select(ProcedureAct).where(ProcedureAct.replaced_at.is_(None)).order_by(ProcedureAct.id)
        ).all()
        if current:
            cases.delete_act(current[which % len(current)])
            db.session.commit()

    @rule(
        rows=st.lists(
            st.tuples(
                st.integers(0, 4),  # external id: the same one again updates its consultation
                DAYS,
                st.sampled_from(["RA", "RB", ""]),
                st.sampled_from(ACTS),
                DAYS,
                st.sampled_from(["personne_seule", "inconnu", ""]),
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda row: row[0],
        )
    )
    def import_file(self, rows):
        lines = [
            "external_id;date;mission;mode;commune_insee;themes;household_ref;procedure_stage;procedure_acts;"
            "family_situation"
        ]
        for ref, offset, household, code, when, family in rows:
            day = self.day(offset)
            acts = f"{code}={min(self.day(when), day)}"
            lines.append(
                f"X{ref};{day};{EVICTION};telephone;62498;impayes_expulsion;{household};impaye;{acts};{family}"
            )
        db.session.commit()
        result = import_bytes("\n".join(lines).encode(), None, self.day(30))
        assert not result.problems, result.problems
        db.session.commit()

    # --- calls and callbacks ------------------------------------------------------------------------

    @rule(
        ago=st.sampled_from([timedelta(0), timedelta(minutes=40), timedelta(hours=3), timedelta(days=2, hours=1)]),
        mission=st.sampled_from([*MISSIONS, None]),
        territory=st.sampled_from(["lens-henin", "boulonnais", None]),
        outcome=st.sampled_from(["answered", "missed", "abandoned", "in_progress", "voicemail"]),
        wait=st.sampled_from([0, 5, 65]),
        task=st.booleans(),
    )
    def call(self, ago, mission, territory, outcome, wait, task):
        started = (self.now - ago).astimezone(UTC)
        self.calls += 1
        call = Call(
            call_sid=f"CA{self.calls}-{int(started.timestamp())}",
            mission=mission,
            territory_code=territory,
            started_at=started,
            outcome=outcome,
            answered_at=started + timedelta(seconds=wait, microseconds=250_000) if outcome == "answered" else None,
        )
        db.session.add(call)
        db.session.flush()
        if task and outcome != "answered":
            db.session.add(CallbackTask(call_id=call.id, kind="missed", created_at=started + timedelta(minutes=2)))
        db.session.commit()

    @rule(which=st.integers(0, 50), late=st.sampled_from([timedelta(0), timedelta(hours=5)]))
    def do_a_callback(self, which, late):
        open_ = db.session.scalars(
            select(CallbackTask).where(CallbackTask.status != "done").order_by(CallbackTask.id)
        ).all()
        if not open_:
            return
        task = open_[which % len(open_)]
        done = max(self.now - late, task.created_at + timedelta(seconds=1))
        task.status, task.result, task.done_at = "done", "reached", done.astimezone(UTC)
        db.session.commit()

    # --- time, rollbacks --------------------------------------------------------------------------------

    @rule(step=st.sampled_from([timedelta(minutes=45), timedelta(hours=7), timedelta(hours=23), timedelta(days=2)]))
    def time_passes(self, step):
        self.now = (self.now.astimezone(UTC) + step).astimezone(PARIS)

    @rule(reader=st.integers(0, 1))
    def written_read_then_rolled_back(self, reader):
        """A transaction writes (a call in a month summarised, a callback done, an act deleted: what the reads keep
        or count), reads the report, then is rolled back: nothing of what it read may be kept."""
        task = db.session.scalars(select(CallbackTask).where(CallbackTask.status != "done")).first()
        if task is not None:
            task.status, task.result, task.done_at = "done", "reached", self.now.astimezone(UTC)
        act = db.session.scalars(select(ProcedureAct).where(ProcedureAct.replaced_at.is_(None))).first()
        if act is not None:
            cases.delete_act(act)
        started = (self.now - timedelta(days=3)).astimezone(UTC)
        db.session.add(
            Call(
                call_sid=f"CAR-{self.calls}-{int(started.timestamp())}",
                mission=EVICTION,
                started_at=started,
                outcome="missed",
            )
        )
        db.session.flush()
        with process(self.processes[reader]):
            for first, last in self.ranges:
                services.report(first, last, MISSIONS, self.now, PARIS)
        db.session.rollback()

    # --- the figures ------------------------------------------------------------------------------------

    @invariant()
    def each_process_reads_the_recount(self):
        if not hasattr(self, "now"):
            return
        db.session.commit()
        for first, last in self.ranges:
            expected = recounted(first, last, self.now)
            for held in self.processes:
                with process(held):
                    read = services.report(first, last, MISSIONS, self.now, PARIS)
                    assert read == expected, (first, last, self.now, _diff(read, expected))
                    for territory in (tidy.ALL, "lens-henin"):
                        shown = services.page(first, last, MISSIONS, self.now, PARIS, territory)
                        assert set(shown) <= set(expected), (territory, _diff(shown, expected, subset=True))
        db.session.commit()

    def teardown(self):
        empty_everything()


def _diff(read: list[tidy.Row], expected: list[tidy.Row], subset: bool = False) -> tuple[list, list]:
    """What the read has that the recount has not, and (unless subset) the other way."""
    read_, expected_ = set(read), set(expected)
    return sorted(read_ - expected_, key=repr)[:8], [] if subset else sorted(expected_ - read_, key=repr)[:8]


def test_the_kept_figures_are_the_recount_after_any_writes_reads_and_clock(ctx):
    run_state_machine_as_test(
        Reports,
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


# --- a month's summary rewritten by another process between its mark's check and its read ----------------------


def test_a_summary_rewritten_between_its_mark_and_its_read_is_not_read_with_the_other_days(ctx, monkeypatch):
    """Two servers on one database, one a second past midnight: the first checks March's mark (its days over, 1-30
    March), the second then summarises March whole (March is over for it) before the first reads the summary. The
    first must not read the whole month's summary beside 31 March counted from the calls: 31 March's call twice."""
    at = datetime(2026, 3, 31, 10, tzinfo=PARIS).astimezone(UTC)
    db.session.add(
        Call(call_sid="CA-31", mission=EVICTION, territory_code="lens-henin", started_at=at, outcome="missed")
    )
    db.session.commit()
    before = datetime(2026, 4, 2, 23, 59, 59, tzinfo=PARIS)  # March's days over: 1-30 March
    after = datetime(2026, 4, 3, 0, 0, 1, tzinfo=PARIS)  # March over: summarised whole
    first, last = date(2026, 3, 1), date(2026, 3, 1)

    def missed(now) -> int:
        rows = services.other_rows(first, last, MISSIONS, now, PARIS)
        return sum(
            r.value for r in rows if r.indicator == "calls_missed" and r.territory == tidy.ALL and r.period == "2026-03"
        )

    assert missed(before) == 1  # summarised 1-30 March, 31 March counted from the calls
    marks = db.session.execute(select(call_months.ReportCallMonthMark.month, call_months.ReportCallMonthMark.zone))
    assert marks.all() == [("2026-03", "Europe/Paris<2026-03-31")]
    other = [{} for _ in MEMORIES] + [[]]
    real, done = call_months.records, []

    def records(*args, **kwargs):
        if not done:  # the other server's read, at this very moment
            done.append(True)
            with process(other):
                assert missed(after) == 1
        return real(*args, **kwargs)

    monkeypatch.setattr(call_months, "records", records)
    services._BUILT.clear()
    assert missed(before) == 1
    assert done
    monkeypatch.setattr(call_months, "records", real)
    assert missed(before) == missed(after) == 1


# --- one process, the clock over the change of time, a month's end and the days it takes to settle ----------------


def test_the_calls_read_while_the_clock_runs_over_a_month_end_are_those_counted(ctx):
    """Calls on the change of time (29 March: 1:59 and 3:00 local), on each side of midnight at the month's end, then
    read by one process as its clock runs from 31 March to 4 April: the month in progress's days over, then March
    settling, then settled (the summary counted again at each step) are always what the GROUP BY of the calls gives."""
    local = [
        datetime(2026, 3, 29, 1, 59, tzinfo=PARIS),
        datetime(2026, 3, 29, 3, 0, tzinfo=PARIS),
        datetime(2026, 3, 31, 23, 30, tzinfo=PARIS),
        datetime(2026, 4, 1, 0, 30, tzinfo=PARIS),
        datetime(2026, 4, 2, 23, 59, 59, tzinfo=PARIS),
    ]
    for n, at in enumerate(local):
        db.session.add(
            Call(
                call_sid=f"CA-{n}",
                mission=EVICTION,
                territory_code="boulonnais",
                started_at=at.astimezone(UTC),
                outcome="missed" if n % 2 else "answered",
                answered_at=None if n % 2 else at.astimezone(UTC) + timedelta(seconds=n),
            )
        )
    db.session.commit()
    clock = [
        datetime(2026, 3, 31, 23, 59, tzinfo=PARIS),
        datetime(2026, 4, 1, 0, 1, tzinfo=PARIS),
        datetime(2026, 4, 2, 23, 59, 59, tzinfo=PARIS),
        datetime(2026, 4, 3, 0, 0, 1, tzinfo=PARIS),
        datetime(2026, 4, 4, 12, tzinfo=PARIS),
    ]
    for now in clock:
        for first, end in ((date(2026, 3, 1), date(2026, 5, 1)), (date(2026, 3, 1), date(2026, 4, 1))):
            read = services.call_records(first, end, MISSIONS, PARIS, now)
            assert sorted(read) == sorted(services.call_records(first, end, MISSIONS, PARIS)), (now, first, end)
            assert sum(record.calls for record in read) == sum(1 for at in local if at.date() < end)
