"""Issue 18's new indicators, recounted by hand from the tidy CSV export: the eviction mission's households
counted once in its profile (households_*), each household's result from its case's dated acts and events
(household_result, whenever and at whichever mission's consultation each act was recorded), the first contacts
before the commandement de payer from the dated acts, and the green number that adds up (calls_received =
answered + missed + abandoned, the median wait, callbacks within one working day)."""

import csv
import io
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recount import fact_records, household_recount
from sqlalchemy import delete

from hotline.cases import services as cases
from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.core import clock
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.reference.services import territory_labels
from hotline.reports import bilan, call_months, household_months, rollup
from hotline.reports import services as reports

EVICTION = "prevention_expulsion"
PARIS = ZoneInfo("Europe/Paris")
FIRST, LAST = date(2026, 1, 1), date(2026, 3, 1)
MONTHS = ["2026-01", "2026-02", "2026-03"]
# household_result (formats.md), written out again here: on one day, the first of this list wins.
ORDER = [
    ("expulsion", {"expulsion_effective"}),
    ("relogement", {"relogement_effectif"}),
    ("depart_volontaire", {"depart_volontaire"}),
    ("maintien", {"dette_soldee", "protocole_cohesion_signe", "retablissement_personnel", "jugement_rejet"}),
    ("accord_en_cours", {"plan_apurement", "jugement_delais", "mesures_surendettement", "fsl_accorde"}),
]


def expected_result(acts: list[tuple[str, date]], day: date) -> str:
    dated = [(when, code) for code, when in acts if when <= day]
    if not dated:
        return "inconnu"
    latest = max(when for when, _ in dated)
    codes = {code for when, code in dated if when == latest}
    for result, named in ORDER:
        if codes & named:
            return result
    return "procedure_en_cours"


def consult(household, day, territory, stage=None, mission=EVICTION, **profile):
    data = {
        "date": day,
        "mission": mission,
        "mode": "telephone",
        "territory_code": territory,
        "themes": ["impayes_expulsion"],
        "procedure_stage": stage if mission == EVICTION else None,
        **profile,
    }
    return consultations.record_consultation(data, None, household)


def exported(first=FIRST, last=LAST) -> dict[tuple[str, str, str, str], str]:
    """The tidy CSV of the range, read back with csv: (period, territory, indicator, category) -> value."""
    rows = reports.report(first, last, [EVICTION], clock.now(), clock.local_zone())
    table = {}
    for line in csv.DictReader(io.StringIO(reports.to_csv(rows))):
        assert line["mission"] == EVICTION
        table[(line["period"], line["territory"], line["indicator"], line["category"])] = line["value"]
    return table


def of(table, indicator: str) -> dict[tuple[str, str, str], int]:
    return {(p, t, c): int(v) for (p, t, i, c), v in table.items() if i == indicator}


def households_scenario():
    """Five households and a lone consultation; their acts, as the test knows them: household key -> acts."""
    h1, h2, h3, h4 = (consultations.create_household(name=f"Ménage {n}") for n in range(1, 5))
    acts: dict[str, list[tuple[str, date]]] = {}
    # H1, Lens-Hénin: first contact in January at the unpaid rent, a couple with children in the private sector;
    # in March the commandement (February, after the first contact: reached) and a repayment plan.
    consult(
        h1,
        date(2026, 1, 10),
        "lens-henin",
        "impaye",
        family_situation="couple_avec_enfants",
        housing_sector="prive",
        debt_origins=["perte_emploi", "separation"],
    )
    march = consult(h1, date(2026, 3, 5), "lens-henin", "commandement_payer", age_band="25_39")
    record_acts(h1, march, {"commandement_payer": date(2026, 2, 1), "plan_apurement": date(2026, 3, 1)})
    acts[f"h{h1.id}"] = [("commandement_payer", date(2026, 2, 1)), ("plan_apurement", date(2026, 3, 1))]
    # H2: first seen in December (before the range), alone; in February a single parent, then moves to Arras.
    # Its debt was paid off on 5 February: stated in April, at an information consultation about unpaid rent.
    december = consult(h2, date(2025, 12, 5), "boulonnais", "commandement_payer", family_situation="personne_seule")
    record_acts(h2, december, {"commandement_payer": date(2025, 11, 20)})
    consult(h2, date(2026, 2, 10), "boulonnais", "commandement_payer", family_situation="famille_monoparentale")
    consult(h2, date(2026, 2, 20), "arrageois", None, housing_sector="social")
    april = consult(h2, date(2026, 4, 2), "arrageois", mission="info_logement")
    record_acts(h2, april, {"dette_soldee": date(2026, 2, 5)})
    acts[f"h{h2.id}"] = [("commandement_payer", date(2025, 11, 20)), ("dette_soldee", date(2026, 2, 5))]
    # H3, Arrageois: the landlord's notice only: not situated against the commandement; no act.
    consult(h3, date(2026, 3, 2), "arrageois", "conge_bailleur", family_situation="personne_seule")
    # H4, Boulonnais: evicted and rehoused on one day (the eviction wins), its commandement long before.
    january = consult(h4, date(2026, 1, 20), "boulonnais", "inconnu")
    record_acts(
        h4,
        january,
        {
            "commandement_payer": date(2025, 6, 1),
            "expulsion_effective": date(2026, 1, 15),
            "relogement_effectif": date(2026, 1, 15),
        },
    )
    acts[f"h{h4.id}"] = [
        ("commandement_payer", date(2025, 6, 1)),
        ("expulsion_effective", date(2026, 1, 15)),
        ("relogement_effectif", date(2026, 1, 15)),
    ]
    # A consultation without household (a household of its own), before any commandement by its stage.
    consult(None, date(2026, 2, 14), "lens-henin", "prevention_amont", occupancy_status="locataire")
    db.session.commit()
    return acts


def eviction_consultations():
    """(household key, day, territory, stage, profile) of every eviction consultation, from the database."""
    return fact_records(date(2026, 4, 1))


def test_results_profile_and_first_contacts_recounted_by_hand_from_the_csv(ctx):
    acts = households_scenario()
    table = exported()
    records = eviction_consultations()
    # Each period's households: the territory of their latest consultation of the period.
    latest: dict[tuple[str, str], object] = {}
    for record in sorted(records, key=lambda r: (r.day, r.order)):
        month = f"{record.day:%Y-%m}"
        if month in MONTHS:
            latest[(month, record.household)] = record
            latest[("total", record.household)] = record
    ends = {"2026-01": date(2026, 1, 31), "2026-02": date(2026, 2, 28), "2026-03": date(2026, 3, 31)}
    ends["total"] = ends["2026-03"]
    results: Counter = Counter()
    for (period, household), record in latest.items():
        result = expected_result(acts.get(household, []), ends[period])
        results[(period, record.territory, result)] += 1
        results[(period, "all", result)] += 1
    assert of(table, "household_result") == dict(results)
    # The figures spelled out: H1 accord in March, H2 maintien in February (an act recorded in April, at the
    # other mission), H4 expelled in January; the share kept in their home over the procedures ended (the accord
    # is no result yet).
    assert of(table, "household_result")[("total", "all", "expulsion")] == 1
    assert of(table, "household_result")[("2026-02", "arrageois", "maintien")] == 1
    assert of(table, "household_result")[("2026-03", "lens-henin", "accord_en_cours")] == 1
    totals = {c: n for (p, t, c), n in of(table, "household_result").items() if (p, t) == ("total", "all")}
    ended = sum(n for c, n in totals.items() if c in ("expulsion", "relogement", "depart_volontaire", "maintien"))
    assert ended == 2 and bilan.kept_home(totals).text() == "50 %"
    # Households counted once: as many in each profile indicator as there are households in the period.
    households = Counter((period, record.territory) for (period, _), record in latest.items())
    for indicator in ("households_family_situation", "households_housing_sector", "households_age_band"):
        counted = Counter()
        for (period, territory, _), n in of(table, indicator).items():
            if territory != "all":
                counted[(period, territory)] += n
        assert counted == households, indicator
    family = of(table, "households_family_situation")
    # H2 in the whole range: its latest value of the range (February), counted in Arras (its latest consultation).
    assert family[("total", "arrageois", "famille_monoparentale")] == 1
    assert ("total", "boulonnais", "personne_seule") not in family  # December's value is before the range
    # H1 in March named no family situation: unknown in March, a couple over the range.
    assert family[("2026-03", "lens-henin", "inconnu")] == 1 and family[("total", "lens-henin", "couple_avec_enfants")]
    origins = of(table, "households_debt_origin")
    assert origins[("total", "all", "perte_emploi")] == origins[("total", "all", "separation")] == 1
    assert of(table, "households_family_situation_by_sector")[("total", "all", "couple_avec_enfants|prive")] == 1
    # First contacts against the commandement: H1 (act after it) and the lone one (stage) reached; H4 after;
    # H3 (the landlord's notice only) not situated: 2 of 3, never above 100 %.
    reached, situated = of(table, "reached_before_commandement"), of(table, "first_contacts_situated")
    assert reached[("total", "all", "")] == 2 and situated[("total", "all", "")] == 3
    assert of(table, "first_contacts")[("total", "all", "")] == 4
    for key, n in reached.items():
        assert n <= situated[key]
    # The page's table and the tidy rows read from the months agree with a recount from the consultations.
    read = reports.household_rows(FIRST, LAST, [EVICTION])
    recount = household_recount(FIRST, LAST, [EVICTION])
    assert len(read) == len(recount) and set(read) == set(recount)


def test_a_rebuild_finds_the_results_the_writes_kept(ctx):
    households_scenario()
    before = set(reports.household_rows(FIRST, LAST, [EVICTION]))
    household_months.rebuild(db.session)
    rollup.rebuild(db.session)
    assert set(reports.household_rows(FIRST, LAST, [EVICTION])) == before


def test_a_deleted_act_changes_the_result(ctx):
    household = consultations.create_household(name="Ménage")
    made = consult(household, date(2026, 2, 10), "lens-henin", "assignation")
    case = record_acts(household, made, {"assignation": date(2026, 1, 5), "dette_soldee": date(2026, 2, 1)})
    db.session.commit()
    assert of(exported(), "household_result")[("total", "all", "maintien")] == 1

    act = next(act for act in case.acts if act.stage == "dette_soldee" and act.replaced_at is None)
    cases.delete_act(act)
    db.session.commit()
    assert of(exported(), "household_result")[("total", "all", "procedure_en_cours")] == 1


# --- the green number ---------------------------------------------------------------------------------

OUTCOMES = [
    "answered",
    "missed",
    "voicemail",
    "callback_requested",
    "closed",
    "abandoned",
    "referred",
    "backup",
    "in_progress",
]
MISSED = {"missed", "voicemail", "callback_requested", "closed"}
TERRITORIES = ["lens-henin", "boulonnais"]


def add_call(n: int, spec: dict) -> Call:
    started = datetime.combine(spec["day"], datetime.min.time(), PARIS) + timedelta(hours=spec["hour"])
    call = Call(
        call_sid=f"CA{n:032d}",
        mission=EVICTION,
        territory_code=spec["territory"],
        started_at=started.astimezone(UTC),
        outcome=spec["outcome"],
        answered_at=(started + timedelta(seconds=spec["wait"])).astimezone(UTC)
        if spec["outcome"] == "answered"
        else None,
    )
    db.session.add(call)
    db.session.flush()
    if spec["callback_after"] is not None:
        db.session.add(
            CallbackTask(
                call_id=call.id,
                kind="missed",
                status="done",
                done_at=(started + timedelta(days=spec["callback_after"], hours=1)).astimezone(UTC),
            )
        )
    return call


call_spec = st.fixed_dictionaries(
    {
        "day": st.dates(date(2026, 1, 1), date(2026, 3, 20)),
        "hour": st.integers(7, 20),
        "territory": st.sampled_from(TERRITORIES),
        "outcome": st.sampled_from(OUTCOMES),
        "wait": st.integers(0, 900),
        "callback_after": st.one_of(st.none(), st.integers(0, 6)),
    }
)


def working_day_after(day: date) -> date:
    """The working day after `day`, by hand: Monday to Friday, none of 2026's public holidays of the range."""
    holidays = {date(2026, 1, 1), date(2026, 4, 6)}
    day += timedelta(days=1)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def calls_recounted(table, specs):
    received, answered, missed, abandoned = (
        of(table, name) for name in ("calls_received", "calls_answered", "calls_missed", "calls_abandoned")
    )
    # received = answered + missed + abandoned in every cell, and as many as the calls made.
    for key, n in received.items():
        assert n == answered.get(key, 0) + missed.get(key, 0) + abandoned.get(key, 0), key
    assert received.get(("total", "all", ""), 0) == len(specs)
    by_cell: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for spec in specs:
        month = f"{spec['day']:%Y-%m}"
        for cell in ((month, spec["territory"]), (month, "all"), ("total", spec["territory"]), ("total", "all")):
            by_cell[cell].append(spec)
    waits = of(table, "call_wait_median_seconds")
    for (period, place), made in by_cell.items():
        key = (period, place, "")
        assert received[key] == len(made)
        assert answered.get(key, 0) == sum(s["outcome"] == "answered" for s in made)
        assert missed.get(key, 0) == sum(s["outcome"] in MISSED for s in made)
        waited = [s["wait"] for s in made if s["outcome"] == "answered"]
        if waited:
            median = Decimal(str(statistics.median(waited))).quantize(Decimal(1), rounding="ROUND_HALF_UP")
            assert waits.get(key, 0) == int(median), key  # a median of 0 s is a row left out
        else:
            assert key not in waits
    # Callbacks: counted in the month done; within one working day of the call, by hand.
    done, within = of(table, "callbacks_done"), of(table, "callbacks_within_one_working_day")
    expected_done, expected_within = Counter(), Counter()
    for spec in specs:
        if spec["callback_after"] is None:
            continue
        done_on = spec["day"] + timedelta(days=spec["callback_after"])
        if done_on > date(2026, 3, 31):
            continue
        for cell in ((f"{done_on:%Y-%m}", spec["territory"], ""), ("total", spec["territory"], "")):
            for key in (cell, (cell[0], "all", "")):
                expected_done[key] += 1
                expected_within[key] += done_on <= working_day_after(spec["day"])
    assert done == dict(expected_done)
    assert within == {key: n for key, n in expected_within.items() if n}
    # The unanswered calls by hour of the week add up to the calls not answered.
    by_hour = of(table, "calls_unanswered_by_hour")
    unanswered = sum(n for (p, t, _), n in by_hour.items() if (p, t) == ("total", "all"))
    assert unanswered == missed.get(("total", "all", ""), 0) + abandoned.get(("total", "all", ""), 0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(call_spec, max_size=25))
def test_the_green_number_adds_up_recounted_from_the_csv(ctx, specs):
    try:
        for n, spec in enumerate(specs):
            add_call(n, spec)
        db.session.commit()
        calls_recounted(exported(), specs)
    finally:
        db.session.rollback()
        db.session.execute(delete(CallbackTask))
        db.session.execute(delete(Call))  # the next example's calls may take the same ids: their months' summaries go
        db.session.execute(delete(call_months.ReportCallMonth))
        db.session.execute(delete(call_months.ReportCallMonthMark))
        db.session.commit()


def test_every_outcome_the_ivr_records_counts_once():
    from hotline.ivr.models import OUTCOMES as RECORDED
    from hotline.reports import tidy

    calls = [tidy.CallRecord(EVICTION, "2026-01", "lens-henin", outcome) for outcome in RECORDED]
    rows = tidy.build((), calls)
    value = {row.indicator: row.value for row in rows if (row.period, row.territory) == ("total", "all")}
    assert value["calls_received"] == len(RECORDED)
    assert value["calls_answered"] + value["calls_missed"] + value["calls_abandoned"] == len(RECORDED)
    assert value["calls_abandoned"] == len(set(RECORDED) - MISSED - {"answered"})


def test_the_page_shows_the_results_the_green_number_and_one_debt_total(app, client, make_user, login):
    with app.app_context():
        households_scenario()
        for n, outcome in enumerate(["answered", "abandoned", "voicemail"]):
            spec = {"day": date(2026, 2, 3), "hour": 10, "territory": "lens-henin", "outcome": outcome}
            add_call(n, {**spec, "wait": 40, "callback_after": None})
        db.session.commit()
        names = territory_labels()
    login(make_user("manager"))
    page = client.get("/reports/?from=2026-01&to=2026-03&mission=prevention_expulsion").get_data(as_text=True)
    assert "Résultats pour les ménages suivis" in page and "Part maintenue dans son logement" in page
    assert "Numéro vert : appels et rappels" in page and "Abandonnés" in page
    assert "Profil des ménages (chaque ménage compté une fois)" in page
    key_figures = page.split("<caption>Chiffres clés</caption>")[1].split("</table>")[0]
    assert "Dette totale des ménages" in key_figures and "Dettes déclarées" not in key_figures
    assert "Premiers contacts avant le commandement de payer" in page
    assert names  # the territories' names the tables use


def test_the_self_service_sms_sent_are_counted_by_the_calls_month_and_territory(ctx):
    """sms_information_sent (formats.md): the voice menu's SMS Twilio accepted, where and when their call was."""
    from hotline.sms.models import SmsMessage

    sent = {("2026-01", "lens-henin"): 2, ("2026-02", "boulonnais"): 1}
    n = 0
    for (month, territory), count in sent.items():
        for _ in range(count):
            n += 1
            call = add_call(
                n,
                {
                    "day": date(2026, int(month[5:]), 5),
                    "hour": 10,
                    "territory": territory,
                    "outcome": "closed",
                    "wait": 0,
                    "callback_after": None,
                },
            )
            db.session.add(
                SmsMessage(purpose="information", call_id=call.id, key=f"information:{call.id}", status="sent")
            )
    queued = add_call(
        99,
        {
            "day": date(2026, 1, 6),
            "hour": 10,
            "territory": "lens-henin",
            "outcome": "closed",
            "wait": 0,
            "callback_after": None,
        },
    )
    db.session.add(SmsMessage(purpose="information", call_id=queued.id, key=f"information:{queued.id}"))  # not sent
    db.session.commit()
    counted = of(exported(), "sms_information_sent")
    expected = {(month, territory, ""): count for (month, territory), count in sent.items()}
    expected |= {(month, "all", ""): count for (month, _), count in sent.items()}
    expected |= {("total", territory, ""): count for (_, territory), count in sent.items()}
    expected[("total", "all", "")] = sum(sent.values())
    assert counted == expected
