"""Benchmark of the three homes (GET / for a jurist, a manager and an administrator) on the demo data.

Creates a SQLite database in a temporary folder (`db upgrade`, `demo`), then requests `/` through the
app's test client, logged in as each role, and prints the median and the slowest of the rounds, and the
time of the query that needs no work (`/healthz`) in the same run as a baseline: these machines are
shared and noisy. The manager's home reads the report of three months (reports.services.report).
Usage: python bench/home.py [--rounds 20] [--database sqlite:///path] (an existing database skips the demo)

Measured 2026-11-29 on the demo data (2 shared cores, load average 5), median of 15: /healthz 0.8 ms, jurist
11 ms, manager 74 ms (the report of three months), admin 18 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Home-Password-62"


def flask(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "hotline", *args], check=True, capture_output=True, cwd=ROOT
    )


def timed(client, path: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='hotline-home-bench-')}/home.sqlite3"
    os.environ.update(HOTLINE_DATABASE_URL=url, HOTLINE_ENV="development", HOTLINE_LOG_LEVEL="WARNING")
    if not args.database:
        flask("db", "upgrade")
        flask("demo")

    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from hotline import create_app
    from hotline.auth.models import User
    from hotline.auth.passwords import hash_password
    from hotline.extensions import db

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    with app.app_context():
        users = {}
        for role in ("jurist", "manager", "admin"):
            user = db.session.scalar(select(User).where(User.role == role, User.active.is_(True)).limit(1))
            user.password_hash = hash_password(PASSWORD)
            users[role] = user.email
        db.session.commit()
    print(f"{'page':<22}{'median ms':>10}{'max ms':>10}")
    baseline = timed(app.test_client(), "/healthz", args.rounds)
    print(f"{'/healthz (baseline)':<22}{statistics.median(baseline):>10.1f}{max(baseline):>10.1f}")
    for role, email in users.items():
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        times = timed(client, "/", args.rounds)
        print(f"{'/ as ' + role:<22}{statistics.median(times):>10.1f}{max(times):>10.1f}")


if __name__ == "__main__":
    main()
