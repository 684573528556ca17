"""Benchmark of the tidy report on a large consultation log, against a baseline measured in the same run.

Creates a SQLite database with N synthetic consultations over two years (two codes each), then times
`reports.services.report()` for the whole range, and its CSV and XLSX exports. The baseline is the bare
read of the same rows with the standard library's sqlite3 (SELECT of consultations and their codes):
figures are quoted as ratios to it, these machines being shared and noisy.
Usage: python bench/report_build.py [--consultations 50000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BIN = Path(sys.executable).parent
TERRITORIES = ["arrageois", "artois", "audomarois", "boulonnais", "calaisis", "lens-henin", "montreuillois", "ternois"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consultations", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotline-report-bench-"))
    os.environ.update(
        HOTLINE_DATABASE_URL=f"sqlite:///{work}/r.sqlite3", HOTLINE_ENV="development", HOTLINE_LOG_LEVEL="WARNING"
    )
    subprocess.run([str(BIN / "hotline"), "db", "upgrade"], check=True, capture_output=True)

    from sqlalchemy import insert

    from hotline import create_app
    from hotline.consultations.models import Consultation, ConsultationCode
    from hotline.extensions import db
    from hotline.reports import services, workbook

    app = create_app()
    rng = random.Random(62)
    n = args.consultations
    with app.app_context():
        db.session.execute(
            insert(Consultation),
            [
                dict(
                    id=i + 1,
                    date=date(2025, 1, 1) + timedelta(days=rng.randrange(700)),
                    mission=rng.choice(["info_logement", "prevention_expulsion"]),
                    mode=rng.choice(["telephone", "permanence"]),
                    consultant_type="particulier",
                    territory_code=rng.choice(TERRITORIES),
                    occupancy_status="inconnu",
                    housing_sector="inconnu",
                    family_situation="inconnu",
                    age_band="inconnu",
                    resource_band="inconnu",
                    referral_source="inconnu",
                    habitat_indigne=False,
                    permis_louer=False,
                    version=1,
                    household_id=None,
                    created_at=datetime.now(UTC),
                    debt_amount=rng.randrange(100, 20000) if rng.random() < 0.5 else None,
                )
                for i in range(n)
            ],
        )
        db.session.execute(
            insert(ConsultationCode),
            [
                dict(consultation_id=i + 1, kind=kind, code=code)
                for i in range(n)
                for kind, code in (("theme", "rapports_locatifs"), ("outcome", "information_delivree"))
            ],
        )
        db.session.commit()

    def baseline() -> float:
        started = time.perf_counter()
        with sqlite3.connect(work / "r.sqlite3") as connection:
            connection.execute("SELECT * FROM consultations").fetchall()
            connection.execute("SELECT * FROM consultation_codes").fetchall()
        return time.perf_counter() - started

    def report() -> tuple[float, float, float]:
        with app.app_context():
            started = time.perf_counter()
            rows = services.report(
                date(2025, 1, 1),
                date(2026, 11, 1),
                ["info_logement", "prevention_expulsion"],
                datetime.now(UTC),
                ZoneInfo("Europe/Paris"),
            )
            built = time.perf_counter()
            services.to_csv(rows)
            csv_done = time.perf_counter()
            workbook.to_xlsx(rows)
            return built - started, csv_done - built, time.perf_counter() - csv_done

    bases, reports = [], []
    for _ in range(args.rounds):
        bases.append(baseline())
        reports.append(report())
    base = statistics.median(bases)
    build, csv_time, xlsx_time = (statistics.median(r[i] for r in reports) for i in range(3))
    print(f"{n} consultations over 23 months, {args.rounds} rounds (medians)")
    print(f"baseline: bare sqlite3 read of the rows   {base * 1000:8.0f} ms")
    print(f"report() (every indicator, every cell)    {build * 1000:8.0f} ms   x{build / base:.1f} the baseline")
    print(f"  CSV export                              {csv_time * 1000:8.0f} ms")
    print(f"  XLSX export                             {xlsx_time * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
