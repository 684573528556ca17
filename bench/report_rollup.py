"""Benchmark of the monthly rollup (hotline/reports/rollup.py) against the current recount and pandas.

Fills a SQLite database with N synthetic consultations over one year (about five codes each, households
for two thirds of them, debts for half the eviction ones) with bulk Core inserts, builds the rollup
with rollup.rebuild(), then times, each in a fresh process (so that its peak memory is its own):

- page:   rollup.table() + rollup.summary(), what the managers' page shows, for the year;
- rows:   rollup.rows(), the consultation part of the tidy report, for the year;
- tidy:   tidy.build(recount.consultation_records(...)), the exact recount (bench/recount.py), for the year;
- pandas: the same indicators with pandas (read_sql, then groupby), if pandas is installed;
- idle:   the process with the app loaded and nothing read (the floor of the peak memory).

It checks that rows() equals the recount, prints medians, ratios and peak memory (VmHWM), and
times rebuild(), apply() of single edits and apply_many() of an import-sized batch.
Usage: python bench/report_rollup.py [--consultations 100000] [--rounds 3] [--tidy-rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's hotline, not an installed one

from dateutil.relativedelta import relativedelta  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from recount import consultation_records  # noqa: E402  (bench/recount.py)
from sqlalchemy import insert, select  # noqa: E402

from hotline import create_app  # noqa: E402
from hotline.consultations.models import Consultation, ConsultationCode, Household  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.reports import rollup, tidy  # noqa: E402

try:  # optional: measured when installed
    import pandas as pd
except ImportError:
    pd = None

TERRITORIES = [
    "arrageois",
    "artois",
    "audomarois",
    "boulonnais",
    "calaisis",
    "lens-henin",
    "montreuillois",
    "ternois",
    "hors_departement",
    "non_renseigne",
]
MISSIONS = ["info_logement", "prevention_expulsion"]
MODES = ["telephone", "telephone", "telephone", "visite_siege", "permanence", "aller_vers", "courriel"]
STAGES = ["impaye", "commandement_payer", "assignation", "audience", "jugement", "commandement_quitter", "inconnu"]
THEMES = ["rapports_locatifs", "impayes_expulsion", "recherche_logement", "accession", "copropriete", "habitat_indigne"]
OUTCOMES = ["information_delivree", "saisine_fsl", "orientation_ccas", "contact_bailleur", "suivi_en_cours"]
RESOURCES = ["salaire", "rsa_minima", "retraite", "aah", "inconnu"]
ORIGINS = ["perte_emploi", "baisse_ressources", "separation"]
FIRST, LAST, END = date(2026, 1, 1), date(2026, 12, 1), date(2027, 1, 1)
CHUNK = 20000


def app_for(path: Path):
    os.environ.update(HOTLINE_DATABASE_URL=f"sqlite:///{path}", HOTLINE_ENV="development", HOTLINE_LOG_LEVEL="WARNING")
    return create_app()


def fill(path: Path, n: int) -> dict[str, float]:
    """N consultations and their codes, bulk-inserted; then the rollup rebuilt. Returns timings."""
    app = app_for(path)
    rng = random.Random(62)
    timings = {}
    with app.app_context():
        upgrade()
        households = n // 3
        db.session.execute(insert(Household), [dict(id=i + 1, created_at=datetime.now(UTC)) for i in range(households)])
        started = time.perf_counter()
        for start in range(0, n, CHUNK):
            rows, codes = [], []
            for cid in range(start + 1, min(n, start + CHUNK) + 1):
                mission = "prevention_expulsion" if rng.random() < 0.3 else "info_logement"
                eviction = mission == "prevention_expulsion"
                rows.append(
                    dict(
                        id=cid,
                        date=FIRST + timedelta(days=rng.randrange(365)),
                        mission=mission,
                        mode=rng.choice(MODES),
                        consultant_type=rng.choice(["particulier", "particulier", "travailleur_social", "autre"]),
                        territory_code=rng.choice(TERRITORIES),
                        occupancy_status=rng.choice(["locataire", "inconnu"]),
                        housing_sector=rng.choice(["prive", "social", "inconnu"]),
                        family_situation="inconnu",
                        age_band="inconnu",
                        resource_band="inconnu",
                        referral_source="inconnu",
                        procedure_stage=rng.choice(STAGES) if eviction else None,
                        debt_amount=Decimal(rng.randrange(10000, 2000000)) / 100
                        if eviction and rng.random() < 0.5
                        else None,
                        habitat_indigne=rng.random() < 0.05,
                        permis_louer=rng.random() < 0.03,
                        version=1,
                        household_id=rng.randrange(1, households + 1) if rng.random() < 2 / 3 else None,
                        created_at=datetime.now(UTC),
                    )
                )
                kinds = [
                    ("theme", rng.sample(THEMES, rng.choice([1, 2]))),
                    ("outcome", rng.sample(OUTCOMES, 2)),
                    ("resource_type", [rng.choice(RESOURCES)]),
                ]
                if eviction:
                    kinds.append(("debt_origin", [rng.choice(ORIGINS)]))
                codes += [dict(consultation_id=cid, kind=kind, code=code) for kind, values in kinds for code in values]
            db.session.execute(insert(Consultation), rows)
            db.session.execute(insert(ConsultationCode), codes)
            db.session.commit()
        timings["insert"] = time.perf_counter() - started
        started = time.perf_counter()
        rollup.rebuild(db.session)
        db.session.commit()
        timings["rebuild"] = time.perf_counter() - started
    with sqlite3.connect(path) as connection:
        connection.execute("ANALYZE")
    return timings


def writes(path: Path, n: int) -> dict[str, float]:
    """apply() of single edits (snapshot before and after, as the form does), apply_many() of 100,000
    records (an import), both rolled back."""
    app = app_for(path)
    months = max(1, min(12, -(-100000 * 12 // n)))
    timings = {}
    with app.app_context():
        consultations = db.session.scalars(select(Consultation).order_by(Consultation.id).limit(200)).all()
        started = time.perf_counter()
        for consultation in consultations:
            before = rollup.snapshot(consultation)
            consultation.territory_code = "ternois" if consultation.territory_code != "ternois" else "artois"
            db.session.flush()
            rollup.apply(db.session, before, rollup.snapshot(consultation))
        timings["apply_ms"] = (time.perf_counter() - started) / len(consultations) * 1000
        db.session.rollback()
        records = consultation_records(FIRST, FIRST + relativedelta(months=months), MISSIONS)[:100000]
        started = time.perf_counter()
        rollup.apply_many(db.session, [(None, record) for record in records])
        timings["apply_many_s"] = time.perf_counter() - started
        timings["apply_many_n"] = len(records)
        db.session.rollback()
    return timings


def pandas_report(path: Path) -> int:
    """The consultation indicators of the year with pandas: counts per code, distinct households,
    debts (count, sum, median), per cell, month, territory and the whole. Returns the non-zero values."""
    where = "c.date >= ? AND c.date < ? AND c.mission IN (?, ?)"
    params = (FIRST.isoformat(), END.isoformat(), *MISSIONS)
    singles = [name for name in tidy.SINGLE_CODES if name != "mode"]
    with sqlite3.connect(path) as connection:
        frame = pd.read_sql_query(
            f"SELECT c.id, c.mission, substr(c.date, 1, 7) AS month, c.territory_code AS territory, c.household_id, "
            f"c.debt_amount, c.habitat_indigne, c.permis_louer, c.mode, {', '.join(singles)} "
            f"FROM consultations c WHERE {where}",
            connection,
            params=params,
        )
        codes = pd.read_sql_query(
            f"SELECT k.consultation_id AS id, k.kind AS indicator, k.code AS category FROM consultation_codes k "
            f"JOIN consultations c ON c.id = k.consultation_id WHERE k.kind IN ({', '.join('?' * 4)}) AND {where}",
            connection,
            params=(*tidy.MULTI_CODES, *params),
        )
    cell = ["mission", "month", "territory"]
    frame["household"] = frame["household_id"].fillna(-frame["id"])
    frame["received"] = frame["mode"].isin(tidy.RECEIVED_MODES)
    long = frame.melt(id_vars=cell, value_vars=list(tidy.SINGLE_CODES), var_name="indicator", value_name="category")
    long = long[long["category"].notna() & (long["category"] != "")]
    multi = codes.merge(frame[["id", *cell]], on="id")[[*cell, "indicator", "category"]]
    flags = [
        frame.loc[frame[name].astype(bool), cell].assign(indicator=name, category="")
        for name in ("habitat_indigne", "permis_louer")
    ]
    counted = pd.concat([long, multi, *flags, frame[cell].assign(indicator="consultations", category="")])
    debts = frame[frame["debt_amount"].notna()]
    values = 0
    for keys in (["mission", "month", "territory"], ["mission", "month"], ["mission", "territory"], ["mission"]):
        values += len(counted.groupby([*keys, "indicator", "category"]).size())
        values += len(frame.groupby(keys)["household"].nunique())
        values += len(frame[frame["received"]].groupby(keys)["household"].nunique())
        amounts = debts.groupby(keys)["debt_amount"].agg(["count", "sum", "median"])
        values += int((amounts != 0).sum().sum())
    return values


def measure(what: str, path: Path, rounds: int) -> dict:
    """In this (fresh) process: run one measure `rounds` times; seconds and the peak resident memory."""
    app = app_for(path)
    seconds, cpu, size = [], [], 0
    for _ in range(rounds):
        with app.app_context():
            started, started_cpu = time.perf_counter(), time.process_time()
            if what == "page":
                table = rollup.table(db.session, FIRST, LAST, MISSIONS)
                size = sum(len(periods) for territories in table.values() for periods in territories.values())
                size += len(rollup.summary(db.session, FIRST, LAST, MISSIONS))
            elif what == "rows":
                size = len(rollup.rows(db.session, FIRST, LAST, MISSIONS))
            elif what == "tidy":
                size = len(tidy.build(consultation_records(FIRST, END, MISSIONS)))
            elif what == "pandas":
                size = pandas_report(path)
            elif what == "same":
                size = int(
                    rollup.rows(db.session, FIRST, LAST, MISSIONS)
                    == tidy.build(consultation_records(FIRST, END, MISSIONS))
                )
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            db.session.remove()
    return {"seconds": statistics.median(seconds), "cpu": statistics.median(cpu), "size": size, "peak_mb": peak_mb()}


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM (ru_maxrss would count the parent's, kept across exec)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(what: str, path: Path, rounds: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", what, "--database", str(path), "--rounds", str(rounds)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consultations", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tidy-rounds", type=int, default=1, help="rounds of the slow recount (and pandas)")
    parser.add_argument("--check", action="store_true", help="also check rows() == the recount (as slow as it)")
    parser.add_argument("--database", help="a SQLite file to fill, or to reuse if it exists (same --consultations)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.database), args.rounds)))
        return

    path = Path(args.database or Path(tempfile.mkdtemp(prefix="hotline-rollup-bench-")) / "r.sqlite3")
    n = args.consultations
    print(
        f"{n} consultations in 2026, {args.rounds} rounds ({args.tidy_rounds} for the recount and pandas), "
        f"medians; peak memory of each process (VmHWM) and above the idle one"
    )
    if path.exists():
        print(f"reusing {path}")
    else:
        filled = fill(path, n)
        print(f"bulk insert {filled['insert']:.1f} s; rebuild() {filled['rebuild']:.1f} s")
    has_pandas = pd is not None
    results = {
        "idle": in_child("idle", path, 1),
        "page": in_child("page", path, args.rounds),
        "rows": in_child("rows", path, args.rounds),
        "tidy": in_child("tidy", path, args.tidy_rounds),
    }
    if has_pandas:
        results["pandas"] = in_child("pandas", path, args.tidy_rounds)
    if args.check:
        results["same"] = in_child("same", path, 1)
    tidy_s = results["tidy"]["seconds"]
    for name, label in (
        ("idle", "app loaded, nothing read"),
        ("page", "page: table() + summary()"),
        ("rows", "rows(): the year's tidy consultation rows"),
        ("tidy", "recount: tidy.build(consultation_records)"),
        ("pandas", "pandas (read_sql, groupby)"),
    ):
        if name in results:
            r = results[name]
            ratio = f"x{tidy_s / r['seconds']:.0f} faster than the recount" if name in ("page", "rows") else ""
            grown = r["peak_mb"] - results["idle"]["peak_mb"]
            print(
                f"{label:46} {r['seconds'] * 1000:9.0f} ms (cpu {r['cpu'] * 1000:7.0f} ms)  peak {r['peak_mb']:6.0f} MB"
                f" (+{grown:4.0f})  {r['size']:6} values  {ratio}"
            )
    if has_pandas:
        print(f"rows() vs pandas: x{results['pandas']['seconds'] / results['rows']['seconds']:.1f} faster")
    if args.check:
        print(f"rows() == recount: {bool(results['same']['size'])}")
    written = writes(path, n)
    print(
        f"apply() of one edit (snapshot before/after): {written['apply_ms']:.2f} ms; apply_many() of "
        f"{written['apply_many_n']} records: {written['apply_many_s']:.1f} s"
    )


if __name__ == "__main__":
    main()
