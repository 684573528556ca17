"""How long the `hotline` command takes to start, against `python -c "import flask"` in alternating runs of
the same session (issue 17: `hotline --help` and `hotline ivr simulate --help` under twice Flask's time),
and, for reference, the bare stack the app itself cannot avoid (Flask, SQLAlchemy, Flask-SQLAlchemy,
Flask-Login, Flask-WTF, Flask-Limiter, Twilio's TwiML, phonenumbers, holidays, dateutil; issue 9's target
for the app's commands: under 1 s). Wall-clock medians and minima of --runs runs each.
Usage: python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
BARE = (
    "import flask, sqlalchemy, flask_sqlalchemy, flask_login, flask_wtf, flask_limiter, "
    "twilio.twiml.voice_response, phonenumbers, holidays, dateutil"
)
COMMANDS = {
    'python -c "import flask"': [sys.executable, "-c", "import flask"],
    "hotline --help": [str(BIN / "hotline"), "--help"],
    "hotline ivr simulate --help": [str(BIN / "hotline"), "ivr", "simulate", "--help"],
    "bare stack (app's imports)": [sys.executable, "-c", BARE],
    "hotline routes (builds the app)": [str(BIN / "hotline"), "routes"],
}


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(timed(command))
    flask = statistics.median(times['python -c "import flask"'])
    print(f"{runs} runs each, alternating; wall clock, median (min) and the median against Flask's:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:34} {median:.3f} s ({min(values):.3f} s)  x{median / flask:.2f}")
    for name in ("hotline --help", "hotline ivr simulate --help"):
        ratio = statistics.median(times[name]) / flask
        print(f"target {name} < 2x import flask: {'met' if ratio < 2 else 'NOT met'} (x{ratio:.2f})")


if __name__ == "__main__":
    main()
