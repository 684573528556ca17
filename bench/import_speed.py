"""Benchmark of the consultations import (hotline/consultations/imports/), on SQLite or PostgreSQL.

For each size N, in a fresh process (so that its peak memory is its own): an empty database (`db upgrade`;
SQLite in a temporary folder, or the PostgreSQL database of --database-url, its schema dropped first), a
file of N rows in the import format of docs/formats.md with EVERY column filled (case columns, acts and
decision kinds, codes), written as a stream; then, in the same run:

- raw:     the same file into a plain table of 30 text columns, without any check: sqlite3's executemany of
           the csv module's rows (SQLite), or one COPY FROM STDIN of the file (PostgreSQL). The floor.
- import:  the validation pass (importer.check), the write pass (importer.import_file with the check's
           result: the rows, then the report tables brought up to date once) and the commit, timed apart;
           each write batch's time (first, last, max: a batch must be no slower than the first).
- floor:   optionally (--floor), after the import: every row it left (each table whose row count it changed)
           written again by the database alone, from a copy, into the same schema with its indexes and its
           foreign keys checked, in one transaction: SQLite's INSERT ... SELECT from an attached copy, or
           PostgreSQL's COPY FROM of each table's binary dump. No file read, no check, nothing computed: the
           least any import of these rows into this schema can take on this machine (the raw load above is
           the file into one plain table, without indexes or keys). Also without the foreign keys (SQLite:
           PRAGMA foreign_keys=OFF; PostgreSQL: session_replication_role = replica), to show their part.
- updates: optionally (--updates F), a second file of F x N of the rows (same external_id, one value
           changed): every row an update, through the services and their history (its own figure).

Prints rows/s of the raw load and of the import, their ratio, the phases' seconds, the batches' times and
the peak memory (VmHWM) before and after the import; --json prints one JSON line per size (also: the peak
after the validation, the resident memory at the first, middle and last batch's end and after the report
tables); --profile PATH writes the import's cProfile statistics (pstats) to PATH.<rows>.
The rows: two missions (half of them eviction prevention, with stage, debt, origins and the case: lease,
landlord, rent, housing aid, one to three acts, a judgment's kind), communes of the Pas-de-Calais with their
postal code and territory, two thirds with a household_ref shared by two consultations.
Usage: python bench/import_speed.py [--rows 100000 1000000] [--database-url URL] [--updates 0] [--floor] [--json]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's hotline, not an installed one

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from hotline import create_app  # noqa: E402
from hotline.consultations.imports import bulk  # noqa: E402
from hotline.consultations.imports import write as importer  # noqa: E402
from hotline.consultations.imports.parse import COLUMNS  # noqa: E402
from hotline.consultations.models import Consultation  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.reference.models import Commune, CommunePostalCode  # noqa: E402

MODES = ["telephone", "telephone", "telephone", "visite_siege", "permanence", "aller_vers", "courriel", "courrier"]
CONSULTANTS = ["particulier", "particulier", "travailleur_social", "bailleur_social", "elu_collectivite"]
OCCUPANCY = ["locataire", "proprietaire_occupant", "heberge", "occupant_sans_titre", "inconnu"]
SECTORS = ["prive", "social", "inconnu"]
FAMILIES = ["personne_seule", "couple_sans_enfant", "famille_monoparentale", "couple_avec_enfants", "inconnu"]
AGES = ["moins_25", "25_39", "40_59", "60_74", "75_plus", "inconnu"]
BANDS = ["moins_800", "800_1200", "1200_1800", "1800_2500", "plus_2500", "inconnu"]
REFERRALS = ["lui_meme", "numero_vert", "travailleur_social", "bailleur", "justice", "caf_msa"]
RESOURCES = ["salaire", "rsa_minima", "retraite", "aah", "prestations_familiales", "indemnites_chomage"]
THEMES = ["rapports_locatifs/loyer_charges", "recherche_logement", "accession", "copropriete", "habitat_indigne"]
STAGES = ["impaye", "commandement_payer", "assignation", "audience", "jugement"]
ORIGINS = ["perte_emploi", "baisse_ressources", "separation", "maladie_accident", "litige_bailleur"]
OUTCOMES = ["information_delivree", "saisine_fsl", "orientation_ccas", "saisine_ccapex", "demande_delais_juge"]
LANDLORDS = ["personne_physique", "bailleur_social", "personne_morale_privee", "sci_familiale"]
BENEFITS = ["aucune", "versee_bailleur", "versee_locataire", "suspendue"]
KINDS = ["fond", "refere"]
TODAY = date(2026, 11, 28)
FIRST_DAY = date(2025, 1, 1)  # consultations from this day on; every act before it


def row(n: int, rows: int, places: list[tuple[str, str, str]], rng: random.Random) -> list[str]:
    """Row n of a file of `rows` rows, every column filled (those of the case on the eviction rows)."""
    day = FIRST_DAY + timedelta(days=rng.randrange(660))
    eviction = n % 2 == 0
    household = n % max(1, rows // 3)
    insee, postal, territory = rng.choice(places)
    acts = decision = lease = landlord = rent = benefit = ""
    if eviction:
        base = date(2023, 1, 1) + timedelta(days=household % 500)  # a household's acts: the same dates each time
        acts = f"commandement_payer={base:%Y-%m-%d}"
        if n % 4 == 0:
            acts += f"|assignation={base + timedelta(days=60):%Y-%m-%d}"
        if n % 8 == 0:
            acts += f"|jugement={base + timedelta(days=150):%Y-%m-%d}"
            decision = KINDS[household % 2]
        lease = f"{base - timedelta(days=900):%Y-%m-%d}"
        landlord, benefit = rng.choice(LANDLORDS), rng.choice(BENEFITS)
        rent = f"{rng.randrange(300, 900)},{rng.randrange(100):02d}"
    values = {
        "external_id": f"E{n}",
        "date": day.isoformat(),
        "mission": "prevention_expulsion" if eviction else "info_logement",
        "mode": rng.choice(MODES),
        "consultant_type": rng.choice(CONSULTANTS),
        "commune_insee": insee,
        "postal_code": postal,
        "territory": territory,
        "occupancy_status": rng.choice(OCCUPANCY),
        "housing_sector": rng.choice(SECTORS),
        "family_situation": rng.choice(FAMILIES),
        "age_band": rng.choice(AGES),
        "resource_band": rng.choice(BANDS),
        "referral_source": rng.choice(REFERRALS),
        "resource_types": "|".join(rng.sample(RESOURCES, 2)),
        "debt_origins": "|".join(rng.sample(ORIGINS, 2)) if eviction else "",
        "outcomes": "|".join(rng.sample(OUTCOMES, 2)),
        "themes": "impayes_expulsion/impaye_locataire|impayes_expulsion" if eviction else rng.choice(THEMES),
        "procedure_stage": rng.choice(STAGES) if eviction else "",
        "debt_amount": f"{rng.randrange(100, 9000)},{rng.randrange(100):02d}" if eviction else "",
        "habitat_indigne": str(int(n % 17 == 0)),
        "permis_louer": str(int(n % 23 == 0)),
        "duration_minutes": str(rng.randrange(5, 60)),
        "household_ref": f"H{household}" if n % 3 != 2 else "",
        "lease_signed_on": lease,
        "landlord_type": landlord,
        "rent_amount": rent,
        "housing_benefit": benefit,
        "procedure_acts": acts,
        "decision_kind": decision,
    }
    return [values[name] for name in COLUMNS]


def write_file(path: Path, rows: int, places: list, total: int | None = None) -> None:
    """`rows` rows, E0 to E{rows - 1}, households shared as in a file of `total` rows (then an update each)."""
    rng = random.Random(62)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(COLUMNS)
        for n in range(rows):
            cells = row(n, total or rows, places, rng)
            if total:  # said again, one value changed: an update
                cells[COLUMNS.index("duration_minutes")] = "61"
            writer.writerow(cells)


def places() -> list[tuple[str, str, str]]:
    """(INSEE, one of its postal codes, territory) of the communes of the Pas-de-Calais."""
    query = (
        select(Commune.insee, func.min(CommunePostalCode.postal_code), Commune.territory_code)
        .join(CommunePostalCode, CommunePostalCode.commune_insee == Commune.insee)
        .group_by(Commune.insee, Commune.territory_code)
        .order_by(Commune.insee)
    )
    return [tuple(found) for found in db.session.execute(query)]


def peak_kib(field: str = "VmHWM") -> int:
    """The process's peak resident memory (VmHWM), or its resident memory now (field="VmRSS"), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def raw_sqlite(path: Path, folder: str) -> float:
    """sqlite3's executemany of the file's rows into a plain table (its own database file), committed."""
    connection = sqlite3.connect(f"{folder}/raw.sqlite3")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"CREATE TABLE raw ({', '.join(f'{name} TEXT' for name in COLUMNS)})")
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        connection.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(COLUMNS))})", reader)
    connection.commit()
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def raw_postgres(path: Path) -> float:
    """One COPY FROM STDIN of the file into a plain table, committed (then dropped)."""
    with db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor:
            cursor.execute(f"CREATE TABLE raw ({', '.join(f'{name} text' for name in COLUMNS)})")
            driver.commit()
            start = time.perf_counter()
            with (
                cursor.copy("COPY raw FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')") as copy,
                path.open("rb") as fh,
            ):
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            driver.commit()
            seconds = time.perf_counter() - start
            cursor.execute("DROP TABLE raw")
            driver.commit()
    return seconds


def counts() -> dict[str, int]:
    """Each table's row count (the import's tables found by what it changed)."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


def floor_sqlite(path: str, tables: list[str], folder: str, foreign_keys: bool) -> dict[str, float]:
    """The tables' rows (in the metadata's order: parents first) copied aside, the tables emptied, then written
    back by INSERT ... SELECT in one transaction, committed: seconds per table, and `commit`."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"PRAGMA cache_size = -{bulk.CACHE_KIB}")  # the page cache the import writes with
    connection.execute(f"ATTACH '{folder}/floor-copy.sqlite3' AS copy")
    for table in tables:
        connection.execute(f"DROP TABLE IF EXISTS copy.{table}")
        connection.execute(f"CREATE TABLE copy.{table} AS SELECT * FROM main.{table}")
    connection.execute("PRAGMA foreign_keys=OFF")  # emptied whole (SQLite's truncation), children first
    for table in reversed(tables):
        connection.execute(f"DELETE FROM main.{table}")
    connection.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")  # as the app's connections
    seconds = {}
    connection.execute("BEGIN IMMEDIATE")
    for table in tables:
        names = ", ".join(row[1] for row in connection.execute(f"PRAGMA main.table_info({table})"))
        start = time.perf_counter()
        connection.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM copy.{table}")
        seconds[table] = time.perf_counter() - start
    start = time.perf_counter()
    connection.execute("COMMIT")
    seconds["commit"] = time.perf_counter() - start
    connection.execute("DETACH copy")
    connection.close()
    Path(f"{folder}/floor-copy.sqlite3").unlink()
    return seconds


def floor_postgres(tables: list[str], folder: str, foreign_keys: bool) -> dict[str, float]:
    """As floor_sqlite: each table dumped by COPY TO (binary) into a file, the tables emptied (TRUNCATE), then
    COPY FROM each file in one transaction, committed."""
    seconds = {}
    with db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor:
            for table in tables:
                with (
                    cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy,
                    open(f"{folder}/{table}.bin", "wb") as fh,
                ):
                    for chunk in copy:
                        fh.write(chunk)
            # CASCADE: tables that refer to these (appointments...) are empty in this database
            cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables) + " CASCADE")
            driver.commit()
            if not foreign_keys:
                cursor.execute("SET session_replication_role = replica")  # no foreign-key trigger
            for table in tables:
                start = time.perf_counter()
                with (
                    cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy,
                    open(f"{folder}/{table}.bin", "rb") as fh,
                ):
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)
                seconds[table] = time.perf_counter() - start
            start = time.perf_counter()
            driver.commit()
            seconds["commit"] = time.perf_counter() - start
            cursor.execute("SET session_replication_role = DEFAULT")
            driver.commit()
    for table in tables:
        Path(f"{folder}/{table}.bin").unlink()
    return seconds


def floor(postgres: bool, tables: list[str], folder: str) -> dict:
    """The floor with the foreign keys checked, then without them (each a rewrite of the same rows)."""
    found = {}
    for foreign_keys in (True, False):
        db.session.remove()
        if postgres:
            seconds = floor_postgres(tables, folder, foreign_keys)
        else:
            seconds = floor_sqlite(db.engine.url.database, tables, folder, foreign_keys)
        key = "floor" if foreign_keys else "floor_no_fk"
        found[f"{key}_s"] = round(sum(seconds.values()), 2)
        found[f"{key}_tables_s"] = {name: round(value, 2) for name, value in seconds.items()}
    return found


class Clock:
    """The times between the progress callbacks of a pass: one a batch."""

    def __init__(self):
        self.last, self.times, self.rss = time.perf_counter(), [], []

    def __call__(self, _rows: int) -> None:
        now = time.perf_counter()
        self.times.append(now - self.last)
        self.rss.append(peak_kib("VmRSS"))  # resident memory at each batch's end: flat, or growing
        self.last = now


def _import(path: Path, profile: cProfile.Profile | None = None) -> dict:
    """The import of a file: the phases' seconds, the write batches' times."""
    checked_clock, written_clock = Clock(), Clock()
    if profile:
        profile.enable()
    with path.open("rb") as fh:
        start = time.perf_counter()
        checked = importer.check(fh, TODAY, checked_clock, keep=True)
        check_done = time.perf_counter()
        check_peak = peak_kib()
        assert not checked.problems, checked.problems[:5]
        written_clock.last = time.perf_counter()
        result = importer.import_file(fh, None, TODAY, written=written_clock, checked_already=checked)
        write_done = time.perf_counter()
        write_rss = peak_kib("VmRSS")
        assert not result.problems, result.problems[:5]
        db.session.commit()
        end = time.perf_counter()
    if profile:
        profile.disable()
    batches = written_clock.times
    return {
        "result": result,
        "check_s": check_done - start,
        "batches_s": sum(batches),  # the batches, ANALYZE after the first included
        "derived_s": write_done - written_clock.last,  # after the last batch: the report tables, once
        "commit_s": end - write_done,
        "total_s": end - start,
        "batches": batches,
        "check_peak_mib": round(check_peak / 1024),
        "batch_rss_mib": [round(kib / 1024) for kib in written_clock.rss],
        "derived_rss_mib": round(write_rss / 1024),
    }


def measure(
    rows: int, updates: float, database_url: str | None, profile_path: str | None, with_floor: bool = False
) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "FIXED_NOW": f"{TODAY}T12:00",
                "DATABASE_URL": database_url or f"sqlite:///{folder}/bench.sqlite3",
            }
        )
        path, again = Path(folder) / "import.csv", Path(folder) / "again.csv"
        with app.app_context():
            postgres = db.engine.dialect.name == "postgresql"
            if postgres:
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            known = places()
            write_file(path, rows, known)
            raw_seconds = raw_postgres(path) if postgres else raw_sqlite(path, folder)
            idle = peak_kib()
            before = counts() if with_floor else {}
            profile = cProfile.Profile() if profile_path else None
            timed = _import(path, profile)
            peak = peak_kib()
            if profile:
                profile.dump_stats(f"{profile_path}.{rows}")
            stored = db.session.scalar(select(func.count()).select_from(Consultation))
            assert stored == timed["result"].created == rows, (stored, timed["result"].created)
            batches = timed["batches"]
            figures = {
                "engine": db.engine.dialect.name,
                "rows": rows,
                "file_mib": round(path.stat().st_size / 2**20, 1),
                "raw_rows_s": round(rows / raw_seconds),
                "raw_s": round(raw_seconds, 2),
                "import_rows_s": round(rows / timed["total_s"]),
                "ratio": round(raw_seconds / timed["total_s"], 3),
                **{
                    name: round(timed[name], 2) for name in ("total_s", "check_s", "batches_s", "derived_s", "commit_s")
                },
                "batch_first_s": round(batches[0], 3),
                "batch_last_s": round(batches[-1], 3),
                "batch_max_s": round(max(batches), 3),
                "batch_median_s": round(sorted(batches)[len(batches) // 2], 3),
                # the batches' mean by tenth of the file: its later thirds update the households of the first
                # (their cases exist: more statements a row), so a growth by thirds is the file's, within one not
                "batch_tenths_s": [
                    round(sum(part) / len(part), 3)
                    for part in (batches[len(batches) * k // 10 : len(batches) * (k + 1) // 10] for k in range(10))
                    if part
                ],
                "peak_idle_mib": round(idle / 1024),
                "check_peak_mib": timed["check_peak_mib"],
                # resident memory at the first, middle and last batch's end, then after the report tables
                "batch_rss_mib": [timed["batch_rss_mib"][i] for i in (0, len(batches) // 2, -1)],
                "derived_rss_mib": timed["derived_rss_mib"],
                "peak_mib": round(peak / 1024),
            }
            if with_floor:
                after = counts()
                written = [name for name in after if after[name] != before[name]]
                figures["floor_tables"] = {name: after[name] - before[name] for name in written}
                figures.update(floor(postgres, written, folder))
                figures["floor_ratio"] = round(figures["floor_s"] / timed["total_s"], 3)
            count = int(rows * updates)
            if count:
                write_file(again, count, known, total=rows)
                timed = _import(again)
                assert timed["result"].updated == count, timed["result"]
                figures["update_rows_s"] = round(count / timed["total_s"])
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--database-url", help="a PostgreSQL database (its schema is dropped); default SQLite")
    parser.add_argument("--updates", type=float, default=0.0, help="a second file of this share of the rows")
    parser.add_argument("--profile", help="write the import's cProfile statistics to PATH.<rows>")
    parser.add_argument(
        "--floor", action="store_true", help="also the floor: the import's rows written by the database alone"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows[0], args.updates, args.database_url, args.profile, args.floor)))
        return
    if not args.json:
        print(
            "engine      rows      raw rows/s  import rows/s  ratio  total s  check s  batches s  derived s  commit s  "
            "batch s first/last/max  peak MiB (idle)  updates rows/s"
        )
    for rows in args.rows:
        command = [sys.executable, __file__, "--child", "--rows", str(rows), "--updates", str(args.updates)]
        command += ["--database-url", args.database_url] if args.database_url else []
        command += ["--profile", args.profile] if args.profile else []
        command += ["--floor"] if args.floor else []
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if args.json:
            print(json.dumps(figures))
            continue
        print(
            f"{figures['engine']:<10} {rows:>8} {figures['raw_rows_s']:>12} {figures['import_rows_s']:>14} "
            f"{figures['ratio']:>6} {figures['total_s']:>8} {figures['check_s']:>8} {figures['batches_s']:>9} "
            f"{figures['derived_s']:>10} {figures['commit_s']:>9}   "
            f"{figures['batch_first_s']}/{figures['batch_last_s']}/{figures['batch_max_s']:<10} "
            f"{figures['peak_mib']:>6} ({figures['peak_idle_mib']})  {figures.get('update_rows_s', '-'):>10}"
        )
        if args.floor:
            print(
                f"  floor: the same rows written by the database alone {figures['floor_s']} s with the foreign keys "
                f"({figures['floor_ratio']} of the import), {figures['floor_no_fk_s']} s without; per table "
                f"{figures['floor_tables_s']}"
            )


if __name__ == "__main__":
    main()
