"""Benchmark of the reports at scale, through the real import (issue 9, item 9).

For each size (100,000 and 1,000,000 consultations by default): writes a CSV in the import format
(a year, 2026-01 to 2026-11; households for half the rows, debts and some case columns for the
eviction ones), imports it into a fresh database with the real import (importer.import_file, what
`hotline consultations import` runs), then times, each in a fresh process (so that its peak memory is
its own, VmHWM):

- import:  rows/s and peak memory of the import;
- baseline: one SQL GROUP BY of the consultations per mission, month and territory for the year (what a
           hand-written count of the page's main table costs): the page's yardstick, in the same run;
- page:    GET /reports/ for the year as a manager (the real page: services.page(), bilan, charts, template),
           first in the process, then again, then a territory's page, then after an edit;
           each page's charts asked for after it, as a browser does (drawn then, once per numbers);
- households: the household indicators of the year, read from the households' months (what the page reads),
           then recounted from the consultations (the range and the history of its households);
- tidy:    services.report() + to_csv(), the full year's tidy report;
- pdf:     services.report() + pdf.build(), the activity report;
- pandas:  the consultation indicators with pandas from the same database (report_rollup.pandas_report),
           skipped with a message if pandas is not installed (it is not a dependency).

- xlsx, pdf-export: GET /reports/export.xlsx and /reports/export.pdf for the year, as a manager downloads them.

SQLite always; PostgreSQL too when HOTLINE_TEST_DATABASE_URL names a database (it is emptied).
--generate-directly writes the year straight into the tables (bench/report_generate.py, about a minute
at 1M instead of the import's half hour), then computes the report tables (the rebuild functions); with
--keep the SQLite database is kept and reused by the next run. --only names the measures to run.
--copy-to-postgres URL copies that generated database into a PostgreSQL one (emptied, migrated, then COPY table by
table); --database-url URL measures a database as it is (that copy). Each measure prints its wall-clock seconds and
the page also its CPU seconds (steadier on a shared machine), beside the baseline's.
Usage: python bench/report_scale.py [--sizes 100000 1000000] [--keep DIR] [--generate-directly] [--only page xlsx]
       [--copy-to-postgres URL] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's hotline, not an installed one
sys.path.insert(0, str(Path(__file__).resolve().parent))

MISSIONS = ["info_logement", "prevention_expulsion"]
STAGES = ["impaye", "commandement_payer", "assignation", "audience", "jugement", "commandement_quitter", "inconnu"]
THEMES = ["rapports_locatifs", "recherche_logement", "accession", "copropriete", "habitat_indigne"]
OUTCOMES = ["information_delivree", "saisine_fsl", "orientation_ccas", "contact_bailleur", "suivi_en_cours"]
RESOURCES = ["salaire", "rsa_minima", "retraite", "aah", "inconnu"]
ORIGINS = ["perte_emploi", "baisse_ressources", "separation"]

FIRST, LAST = date(2026, 1, 1), date(2026, 12, 1)
PASSWORD = "bench-password-not-secret"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Paris")
INSEE = ["62498", "62160", "62041", "62193", "62765", "62427", "62893", "62510", "59350", ""]
MODES = ["telephone", "telephone", "telephone", "visite_siege", "permanence", "aller_vers", "courriel"]
HEADER = (
    "external_id,date,mission,mode,commune_insee,territory,occupancy_status,housing_sector,themes,outcomes,"
    "resource_types,debt_origins,procedure_stage,debt_amount,habitat_indigne,permis_louer,household_ref,"
    "landlord_type,rent_amount,procedure_acts"
)


def generate(path: Path, n: int, case_share: float) -> None:
    rng = random.Random(62)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        for i in range(n):
            eviction = rng.random() < 0.3
            day = date(2026, rng.randint(1, 11), rng.randint(1, 28))
            insee = rng.choice(INSEE)
            household = f"H{rng.randrange(n // 3)}" if rng.random() < 0.5 else ""
            case = eviction and household and rng.random() < case_share
            themes = "impayes_expulsion" if eviction else "|".join(rng.sample(THEMES, rng.choice([1, 2])))
            out.write(
                ",".join(
                    [
                        f"B{i}",
                        day.isoformat(),
                        "prevention_expulsion" if eviction else "info_logement",
                        rng.choice(MODES),
                        insee,
                        "" if insee else "non_renseigne",
                        rng.choice(["locataire", "inconnu"]),
                        rng.choice(["prive", "social", "inconnu"]),
                        themes,
                        "|".join(rng.sample(OUTCOMES, 2)),
                        rng.choice(RESOURCES),
                        rng.choice(ORIGINS) if eviction else "",
                        rng.choice(STAGES) if eviction else "",
                        f"{rng.randrange(10000, 2000000) / 100:.2f}" if eviction and rng.random() < 0.5 else "",
                        "1" if rng.random() < 0.05 else "0",
                        "1" if rng.random() < 0.03 else "0",
                        household,
                        "bailleur_social" if case else "",
                        "450.00" if case else "",
                        f"commandement_payer={date(2025, 12, 1).isoformat()}" if case else "",
                    ]
                )
                + "\n"
            )


def app_for(url: str, config: dict | None = None):
    os.environ.update(
        HOTLINE_DATABASE_URL=url,
        HOTLINE_ENV="development",
        HOTLINE_LOG_LEVEL="WARNING",
        HOTLINE_FIXED_NOW="2026-11-29T12:00",
    )
    from hotline import create_app  # after the environment is set

    return create_app(config)


CHART_SECONDS: list[float] = []  # each page's charts, asked for after it (timed_gets)
CPU_SECONDS: list[float] = []  # each page's CPU time in this process (timed_gets): steadier than the wall clock on a
# shared machine, where a process waits for a core as long as it runs


def timed_gets(app, urls: list[str]) -> list[float]:
    """Each page's seconds, as a manager logged in through the login form; its charts' in CHART_SECONDS."""
    client = _login(app)
    from sqlalchemy import event

    from hotline.extensions import db

    counted = [0]

    def count(*_args):
        counted[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    seconds = []
    for url in urls:
        counted[0] = 0
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
        CPU_SECONDS.append(time.process_time() - cpu)
        STATEMENTS.append(counted[0])
        assert response.status_code == 200 and b"Chiffres cl" in response.data, response.status_code
        # Then the charts, which the browser asks for after the page (drawn then, once per numbers).
        started = time.perf_counter()
        for src in re.findall(r'<img class="chart" src="(/reports/charts/[^"]+)"', response.get_data(as_text=True)):
            assert client.get(src).status_code == 200
        CHART_SECONDS.append(time.perf_counter() - started)
    return seconds


STATEMENTS: list[int] = []  # statements each page ran (timed_gets)


def _login(app):
    from sqlalchemy import select

    from hotline.auth.models import User
    from hotline.auth.services import create_user
    from hotline.extensions import db

    with app.app_context():  # a database measured again has its manager already
        if db.session.scalar(select(User.id).where(User.email == "bench-manager@example.org")) is None:
            create_user("bench-manager@example.org", "Bench", "manager", PASSWORD)
            db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": "bench-manager@example.org", "password": PASSWORD}).status_code == 302
    return client


def timed_download(app, url: str) -> tuple[float, int]:
    """Seconds to download url as a logged-in manager, and the file's size."""
    client = _login(app)
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return seconds, len(response.data)


EDITED: dict = {}  # what edit_a_consultation changed, to put back


def edit_a_consultation(back: bool) -> float:
    """Seconds to move an eviction consultation of June with a household to another territory, mode and
    debt (back: put back what it had), through the services as the form does; its rollups and household
    months follow, and the charts of what changed are drawn again on the next page."""
    from decimal import Decimal

    from sqlalchemy import select

    from hotline.consultations import services as consultations
    from hotline.consultations.models import Consultation
    from hotline.extensions import db

    target = db.session.scalars(
        select(Consultation)
        .where(
            Consultation.mission == "prevention_expulsion",
            Consultation.household_id.is_not(None),
            Consultation.date >= date(2026, 6, 1),
            Consultation.debt_amount.is_not(None),
        )
        .order_by(Consultation.id)
        .limit(1)
    ).one()
    if not back:
        EDITED.update(
            commune_insee=target.commune_insee,
            territory_code=target.territory_code,
            mode=target.mode,
            debt_amount=target.debt_amount,
        )
    data = (
        EDITED
        if back
        else {
            "commune_insee": "62160",
            "territory_code": "boulonnais",
            "mode": "permanence",
            "debt_amount": target.debt_amount + Decimal("1234.56"),
        }
    )
    started = time.perf_counter()
    consultations.update_consultation(target, dict(data), None, None)
    db.session.commit()
    return time.perf_counter() - started


def measure(what: str, url: str, csv_path: str) -> dict:
    """In this (fresh) process: one measure; seconds, what it produced and the peak resident memory."""
    from flask_migrate import upgrade
    from recount import household_recount  # bench/recount.py
    from sqlalchemy import text

    from hotline.consultations.imports import write as importer
    from hotline.extensions import db
    from hotline.reports import pdf, services

    if what == "page":
        year = "from=2026-01&to=2026-12"
        app = app_for(url, {"WTF_CSRF_ENABLED": False})
        cold, warm, territory = timed_gets(
            app, [f"/reports/?{year}", f"/reports/?{year}", f"/reports/territory/lens-henin?{year}"]
        )
        after_write = []
        for back in (False, True):  # a consultation edited, then put back: the charts it changes drawn again
            with app.app_context():
                edited = edit_a_consultation(back)
            after_write += timed_gets(app, [f"/reports/?{year}"])
        return {
            "seconds": cold,
            "statements": STATEMENTS,
            "warm": warm,
            "territory": territory,
            "after_write": max(after_write),
            "edited": edited,
            "charts": CHART_SECONDS,
            "cpu": CPU_SECONDS,  # first, again, territory, after the edit, after putting it back
            "size": 0,
            "peak_mb": peak_mb(),
        }
    if what in ("xlsx", "pdf-export"):
        app = app_for(url, {"WTF_CSRF_ENABLED": False})
        fmt = what.removesuffix("-export")
        seconds = timed_download(app, f"/reports/export.{fmt}?from=2026-01&to=2026-12")
        return {"seconds": seconds[0], "size": seconds[1], "peak_mb": peak_mb()}
    app = app_for(url)
    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        size = 0
        if what == "schema":
            upgrade()
        elif what == "rebuild":
            from hotline.reports import household_months, rollup

            rollup.rebuild(db.session)
            household_months.rebuild(db.session)
            db.session.commit()
        elif what == "import":
            with open(csv_path, "rb") as fh:
                result = importer.import_file(fh, None, date(2026, 11, 29))
            assert not result.problems, result.problems[:5]
            db.session.commit()
            size = result.created
        elif what == "baseline":
            month = "to_char(date, 'YYYY-MM')" if db.engine.dialect.name == "postgresql" else "substr(date, 1, 7)"
            size = len(
                db.session.execute(
                    text(
                        f"SELECT mission, {month}, territory_code, count(*) FROM consultations "
                        f"WHERE date >= :first AND date < :end GROUP BY mission, {month}, territory_code"
                    ),
                    {"first": FIRST, "end": date(2027, 1, 1)},
                ).all()
            )
        elif what == "households":
            size = len(services.household_rows(FIRST, LAST, MISSIONS))
        elif what == "households-recount":
            size = len(household_recount(FIRST, LAST, MISSIONS))
        elif what == "tidy":
            size = len(services.to_csv(services.report(FIRST, LAST, MISSIONS, NOW, ZONE)))
        elif what == "pdf":
            size = len(pdf.build(services.report(FIRST, LAST, MISSIONS, NOW, ZONE), FIRST, LAST, MISSIONS, {}, NOW))
        elif what == "pandas":
            # Loaded here only: report_rollup loads pandas, which would count in every other process's peak.
            from report_rollup import pandas_report

            size = pandas_report(Path(url.removeprefix("sqlite:///")))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "size": size, "peak_mb": peak_mb()}


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would count the parent's, kept across exec)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def in_child(what: str, url: str, csv_path: Path | str = "") -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", what, "--url", url, "--csv", str(csv_path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


MEASURES = ("baseline", "page", "households", "households-recount", "tidy", "pdf", "xlsx", "pdf-export", "pandas")


def run(label: str, url: str, csv_path: Path | None, n: int, with_pandas: bool, only: list[str]) -> None:
    """Import csv_path into url (None: the database is filled already), then each measure in its process."""
    results = {}
    if csv_path is not None:
        in_child("schema", url)
        results["import"] = in_child("import", url, csv_path)
    for what in MEASURES:
        if (what in only or not only) and (what != "pandas" or with_pandas):
            results[what] = in_child(what, url)
    if "import" in results:
        imported = results["import"]
        print(
            f"{label} {n:>9,} rows: import {imported['seconds']:7.1f} s = {n / imported['seconds']:6.0f} rows/s, "
            f"peak {imported['peak_mb']:5.0f} MB",
            flush=True,
        )
    else:
        print(f"{label} {n:>9,} rows, generated directly", flush=True)
    print("    " + json.dumps(results), flush=True)
    if "baseline" not in results or "page" not in results:
        if "baseline" in results:
            print(f"    {'SQL GROUP BY baseline':40} {results['baseline']['seconds']:8.2f} s")
        return _lines(results, results.get("baseline", {}).get("seconds"))
    baseline, page = results["baseline"]["seconds"], results["page"]
    print(f"    {'SQL GROUP BY baseline':40} {baseline:8.2f} s  peak {results['baseline']['peak_mb']:5.0f} MB")
    print(
        f"    {'managers page, first in a process':40} {page['seconds']:8.2f} s  peak {page['peak_mb']:5.0f} MB"
        f"  x{page['seconds'] / baseline:.1f} baseline; its charts after it {page['charts'][0]:.2f} s"
    )
    print(
        f"    {'managers page, again':40} {page['warm']:8.2f} s  x{page['warm'] / baseline:.1f} baseline; "
        f"its charts (reused) {page['charts'][1]:.2f} s"
    )
    print(f"    {'a territory page':40} {page['territory']:8.2f} s  x{page['territory'] / baseline:.1f} baseline")
    print(
        f"    {'managers page after an edit':40} {page['after_write']:8.2f} s  "
        f"x{page['after_write'] / baseline:.1f} baseline (the edit: {page['edited'] * 1000:.0f} ms); "
        f"statements per page {page['statements']}"
    )
    if "cpu" in page and "cpu" in results["baseline"]:  # CPU seconds: the wall clock's share of a loaded machine
        cpu, base = page["cpu"], results["baseline"]["cpu"]
        print(
            f"    {'CPU: baseline / first / again / territory / edit':40} {base:.2f} / "
            + " / ".join(f"{c:.2f} (x{c / base:.2f})" for c in [*cpu[:3], max(cpu[3:])])
        )
    _lines(results, baseline)


def _lines(results: dict, baseline: float | None) -> None:
    for what, name in (
        ("households", "household indicators of the year (months)"),
        ("households-recount", "the same, recounted from consultations"),
        ("tidy", "full year's tidy report (CSV)"),
        ("pdf", "activity report (PDF)"),
        ("xlsx", "GET /reports/export.xlsx, the year"),
        ("pdf-export", "GET /reports/export.pdf, the year"),
        ("pandas", "pandas, the same consultation figures"),
    ):
        if what in results:
            r = results[what]
            ratio = (
                f"  x{r['seconds'] / results['pandas']['seconds']:.2f} pandas' time"
                if "pandas" in results and what in ("tidy", "pdf")
                else ""
            )
            if baseline:
                ratio += f"  x{r['seconds'] / baseline:.1f} baseline"
            print(f"    {name:40} {r['seconds']:8.2f} s  peak {r['peak_mb']:5.0f} MB{ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--case-share",
        type=float,
        default=0.02,
        help="share of the eviction rows with a household that fill the case columns",
    )
    parser.add_argument("--keep", help="a folder for the CSV files and SQLite databases (kept)")
    parser.add_argument(
        "--generate-directly",
        action="store_true",
        help="write the rows straight into the tables (bench/report_generate.py), then rebuild the report tables",
    )
    parser.add_argument("--only", nargs="+", default=[], choices=MEASURES, help="these measures only")
    parser.add_argument(
        "--database-url", help="measure this database as it is (filled already, e.g. by --copy-to-postgres)"
    )
    parser.add_argument(
        "--copy-to-postgres",
        metavar="URL",
        help="with --generate-directly: copy the generated SQLite database into this PostgreSQL database (emptied)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.url, args.csv)))
        return
    try:
        import pandas  # noqa: F401

        with_pandas = True
    except ImportError:
        print("pandas is not installed: its column is skipped (pip install pandas to compare).")
        with_pandas = False
    if args.database_url:
        label = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite    "
        run(label, args.database_url, None, args.sizes[0], False, args.only)
        return
    folder = Path(args.keep or tempfile.mkdtemp(prefix="hotline-scale-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    postgres = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    print(f"case columns filled on {args.case_share:.0%} of the eviction rows with a household")
    for n in args.sizes:
        if args.generate_directly:
            database = folder / f"direct-{n}.sqlite3"
            if not database.exists():
                generated(database, n)
            if args.copy_to_postgres:
                started = time.perf_counter()
                copy_to_postgres(database, args.copy_to_postgres)
                print(f"copied into PostgreSQL in {time.perf_counter() - started:.0f} s", flush=True)
                continue
            run("SQLite    ", f"sqlite:///{database}", None, n, with_pandas, args.only)
            continue
        csv_path = folder / f"consultations-{n}-{args.case_share}.csv"
        if not csv_path.exists():
            generate(csv_path, n, args.case_share)
        database = folder / f"scale-{n}.sqlite3"
        database.unlink(missing_ok=True)
        run("SQLite    ", f"sqlite:///{database}", csv_path, n, with_pandas, args.only)
        if postgres:
            empty_postgres(postgres)
            run("PostgreSQL", postgres, csv_path, n, False, args.only)


def copy_to_postgres(database: Path, url: str) -> None:
    """The generated SQLite database copied into a PostgreSQL one (emptied, then migrated to the same head), table by
    table with COPY FROM STDIN (foreign keys not checked meanwhile: the rows are the SQLite database's), its
    sequences moved past the copied ids, then ANALYZE: a few minutes instead of generating the year again."""
    import sqlite3

    import psycopg

    empty_postgres(url)
    in_child("schema", url)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    tables = [
        name
        for (name,) in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if name != "alembic_version"
    ]
    with psycopg.connect(url, autocommit=False) as target:
        target.execute("SET TIME ZONE 'UTC'")  # SQLite's instants are UTC without an offset
        target.execute("SET session_replication_role = replica")  # no foreign-key trigger while copying
        target.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        for table in tables:
            wanted = {
                row[0]
                for row in target.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
                )
            }
            columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")') if row[1] in wanted]
            names = ", ".join(f'"{c}"' for c in columns)
            started, count = time.perf_counter(), 0
            with target.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in source.execute(f'SELECT {names} FROM "{table}"'):
                    copy.write_row(row)
                    count += 1
            print(f"  {table}: {count} rows in {time.perf_counter() - started:.1f} s", flush=True)
        with_ids = {
            name
            for (name,) in target.execute("SELECT table_name FROM information_schema.columns WHERE column_name = 'id'")
        }
        for table in [t for t in tables if t in with_ids]:
            sequence = target.execute("SELECT pg_get_serial_sequence(%s, 'id')", (f'"{table}"',)).fetchone()
            if sequence and sequence[0]:
                target.execute(
                    f'SELECT setval(%s, (SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)', (sequence[0],)
                )
        target.execute("SET session_replication_role = DEFAULT")
        target.commit()
    with psycopg.connect(url, autocommit=True) as target:
        target.execute("ANALYZE")


def generated(database: Path, n: int) -> None:
    """A migrated database filled by report_generate, its report tables rebuilt; the time each took."""
    from report_generate import generate  # bench/report_generate.py

    url = f"sqlite:///{database}"
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    in_child("schema", f"sqlite:///{partial}")
    started = time.perf_counter()
    counts = generate(partial, n)
    written = time.perf_counter() - started
    rebuilt = in_child("rebuild", f"sqlite:///{partial}")
    partial.rename(database)
    print(
        f"generated {counts} in {written:.0f} s; report tables rebuilt in {rebuilt['seconds']:.0f} s "
        f"(peak {rebuilt['peak_mb']:.0f} MB): {url}",
        flush=True,
    )


if __name__ == "__main__":
    main()
