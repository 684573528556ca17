"""Benchmark of the consultations import (hotline/consultations/imports/write.py) on SQLite.

For each size N, in a fresh process (so that its peak memory is its own): creates a SQLite database in a
temporary folder (`db upgrade`), writes N rows in the import format of docs/formats.md to a file (a
stream: the file is never held whole), then times, in the same run:

- baseline: the csv module reading the same file (every cell, nothing checked), the floor of any import;
- check:    importer.check(), the validation pass (writes nothing);
- write:    the write pass (importer.import_file with the check's result) and the commit;
- update:   the whole import (both passes, commit) of the second file: every row an update.

The rows look like the service's: two missions, seven modes, communes of the Pas-de-Calais, about two
thirds with a household_ref shared by three consultations, debts for the eviction mission and, for half of
its rows, the case columns (landlord, rent, housing aid, one or two acts of the procedure). Then a second
file of a tenth of them (same external_id, one value changed) times the update path (its own figure).
It prints rows/s of each pass, the ratio to the baseline and the peak memory (VmHWM) before and after the
import; with --json, one JSON line per size.
Usage: python bench/import_speed.py [--rows 10000 100000] [--updates 0.1] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's hotline, not an installed one

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from hotline import create_app  # noqa: E402
from hotline.consultations.imports import write as importer  # noqa: E402
from hotline.consultations.models import Consultation  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.reference.models import Commune  # noqa: E402

HEADER = [
    "external_id",
    "date",
    "mission",
    "mode",
    "consultant_type",
    "commune_insee",
    "family_situation",
    "resource_types",
    "themes",
    "procedure_stage",
    "debt_amount",
    "debt_origins",
    "outcomes",
    "habitat_indigne",
    "duration_minutes",
    "household_ref",
    "landlord_type",
    "rent_amount",
    "housing_benefit",
    "procedure_acts",
]
MODES = ["telephone", "telephone", "telephone", "visite_siege", "permanence", "aller_vers", "courriel", "courrier"]
FAMILIES = ["personne_seule", "couple_sans_enfant", "famille_monoparentale", "couple_avec_enfants", "inconnu"]
RESOURCES = ["salaire", "rsa_minima", "retraite", "aah", "prestations_familiales"]
THEMES = ["rapports_locatifs", "recherche_logement", "accession", "copropriete", "habitat_indigne"]
STAGES = ["impaye", "commandement_payer", "assignation", "audience", "jugement", "commandement_quitter"]
ORIGINS = ["perte_emploi", "baisse_ressources", "separation", "maladie_accident"]
OUTCOMES = ["information_delivree", "saisine_fsl", "orientation_ccas", "contact_bailleur", "suivi_en_cours"]
LANDLORDS = ["personne_physique", "bailleur_social", "personne_morale_privee"]
BENEFITS = ["aucune", "versee_bailleur", "versee_locataire"]
TODAY = date(2026, 11, 28)


def row(n: int, rows: int, communes: list[str], rng: random.Random) -> list[str]:
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(660))
    eviction = n % 3 == 0
    household = f"H{n % max(1, rows // 3)}" if n % 3 != 2 else ""
    case = eviction and household and n % 2 == 0
    acts = ""
    if case:
        acts = f"commandement_payer={day - timedelta(days=90):%Y-%m-%d}"
        if n % 4 == 0:
            acts += f"|assignation={day - timedelta(days=20):%Y-%m-%d}"
    return [
        f"E{n}",
        day.isoformat(),
        "prevention_expulsion" if eviction else "info_logement",
        rng.choice(MODES),
        "particulier",
        rng.choice(communes),
        rng.choice(FAMILIES),
        rng.choice(RESOURCES),
        "impayes_expulsion/impaye_locataire" if eviction else rng.choice(THEMES),
        rng.choice(STAGES) if eviction else "",
        f"{rng.randrange(100, 9000)},{rng.randrange(100):02d}" if eviction else "",
        rng.choice(ORIGINS) if eviction else "",
        "|".join(rng.sample(OUTCOMES, 2)),
        str(int(n % 17 == 0)),
        str(rng.randrange(5, 60)),
        household,
        rng.choice(LANDLORDS) if case else "",
        f"{rng.randrange(300, 900)}.00" if case else "",
        rng.choice(BENEFITS) if case else "",
        acts,
    ]


def write_file(path: Path, rows: int, communes: list[str], total: int | None = None) -> None:
    """`rows` rows, E0 to E{rows - 1}, households shared as in a file of `total` rows."""
    rng = random.Random(62)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            cells = row(n, total or rows, communes, rng)
            if total:  # said again, one value changed: an update
                cells[HEADER.index("duration_minutes")] = "61"
            writer.writerow(cells)


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def baseline(path: Path) -> float:
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as fh:
        for _ in csv.reader(fh, delimiter=";"):
            pass
    return time.perf_counter() - start


def _import(path: Path) -> tuple[importer.ImportResult, float, float]:
    """(result, check seconds, write seconds with the commit)."""
    with path.open("rb") as fh:
        start = time.perf_counter()
        checked = importer.check(fh, TODAY, keep=True)
        check_seconds = time.perf_counter() - start
        assert not checked.problems, checked.problems[:5]
        start = time.perf_counter()
        result = importer.import_file(fh, None, TODAY, checked_already=checked)
        db.session.commit()
        assert not result.problems, result.problems[:5]
        return result, check_seconds, time.perf_counter() - start


def measure(rows: int, updates: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "FIXED_NOW": f"{TODAY}T12:00",
                "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            }
        )
        path, again = Path(folder) / "import.csv", Path(folder) / "again.csv"
        with app.app_context():
            upgrade()
            communes = list(db.session.scalars(select(Commune.insee).order_by(Commune.insee)))
            write_file(path, rows, communes)
            csv_seconds = baseline(path)
            idle = peak_kib()
            result, check_seconds, write_seconds = _import(path)
            peak = peak_kib()
            stored = db.session.scalar(select(func.count()).select_from(Consultation))
            assert stored == result.created == rows, (stored, result.created)
            figures = {
                "rows": rows,
                "file_mib": round(path.stat().st_size / 2**20, 1),
                "csv_rows_s": round(rows / csv_seconds),
                "check_rows_s": round(rows / check_seconds),
                "write_rows_s": round(rows / write_seconds),
                "total_rows_s": round(rows / (check_seconds + write_seconds)),
                "check_s": round(check_seconds, 2),
                "write_s": round(write_seconds, 2),
                "peak_idle_mib": round(idle / 1024),
                "peak_mib": round(peak / 1024),
            }
            count = int(rows * updates)
            if count:
                write_file(again, count, communes, total=rows)
                result, check_seconds, write_seconds = _import(again)
                assert result.updated == count, result
                figures["update_rows_s"] = round(count / (check_seconds + write_seconds))
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--updates", type=float, default=0.1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows[0], args.updates)))
        return
    print(
        "rows     csv rows/s  check rows/s  write rows/s  total rows/s  check s  write s  update rows/s  "
        "peak MiB (idle)"
    )
    for rows in args.rows:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--rows", str(rows), "--updates", str(args.updates)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if args.json:
            print(json.dumps(figures))
            continue
        print(
            f"{rows:<8} {figures['csv_rows_s']:>11} {figures['check_rows_s']:>13} {figures['write_rows_s']:>13} "
            f"{figures['total_rows_s']:>13} {figures['check_s']:>8} {figures['write_s']:>8} "
            f"{figures.get('update_rows_s', '-'):>14} "
            f"{figures['peak_mib']:>5} ({figures['peak_idle_mib']})"
        )


if __name__ == "__main__":
    main()
