"""How long `hotline --help` takes, against the bare stack it cannot avoid (Python starting and
importing Flask, SQLAlchemy, Flask-SQLAlchemy, Flask-Login, Flask-WTF, Flask-Limiter, Twilio's TwiML,
phonenumbers, holidays, dateutil), in alternating runs of the same session. Target (issue 9): under 1 s.
Usage: python bench/startup.py [--runs 7]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
BARE = ("import flask, sqlalchemy, flask_sqlalchemy, flask_login, flask_wtf, flask_limiter, "
        "twilio.twiml.voice_response, phonenumbers, holidays, dateutil")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    bare, hotline = [], []
    for _ in range(runs):
        bare.append(timed([sys.executable, "-c", BARE]))
        hotline.append(timed([str(BIN / "hotline"), "--help"]))
    b, h = statistics.median(bare), statistics.median(hotline)
    print(f"{runs} runs, medians: bare stack {b:.2f} s, hotline --help {h:.2f} s (x{h / b:.2f}); "
          f"target < 1 s: {'met' if h < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
