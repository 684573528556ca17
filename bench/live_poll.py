"""The screen pop's poll under the pages' production worker model: what it costs, and how soon a banner comes.

Starts `gunicorn -w 2 --threads 8 'hotline.wsgi:app'` (README, "Production notes") on a fresh demo
database (SQLite in a temporary folder), with the clock fixed on a weekday morning so that the demo roster
is on duty. Every demo jurist keeps `--tabs` pages open (each asks /calls/pop every second with the ETag of
what it shows, as static/live.js does) and `--managers` pages of the line now ask /calls/line/now every two
seconds. After a third of the run a call comes through the signed webhooks (the green number, a known
household's number, Boulogne's postal code) and rings the Boulonnais' jurists: it prints, per kind of
answer (304, 200), the count and p50/p99, the server's CPU share, and for each tab of a rung jurist the
delay from the ring (the <Dial> answered) to the first banner naming the household.
Usage: python bench/live_poll.py [--seconds 30] [--tabs 2] [--managers 2]
Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from common import demo_database, free_port, gunicorn, signed, stop
from contention import PASSWORD, log_in, wait_until_healthy
from markupsafe import escape
from sqlalchemy import select

from hotline import create_app
from hotline.auth.models import User
from hotline.auth.passwords import hash_password
from hotline.cases.models import Case
from hotline.consultations.models import Household
from hotline.extensions import db

WEB_APP = "hotline.wsgi:app"
WORKERS, THREADS = 2, 8  # the pages' production worker model
MORNING = "2026-12-08T10:00"  # a Tuesday: the demo roster is on duty
GREEN_NUMBER = "+33800000062"


def prepare(env: dict) -> dict:
    """The demo accounts' passwords, and a household with a phone and a case: the caller."""
    app = create_app({"DATABASE_URL": env["HOTLINE_DATABASE_URL"], "SECRET_KEY": "bench", "TWILIO_AUTH_TOKEN": "x"})
    with app.app_context():
        digest = hash_password(PASSWORD)
        people = list(db.session.scalars(select(User).where(User.role.in_(("jurist", "manager"))).order_by(User.id)))
        for user in people:
            user.password_hash = digest
        household = db.session.scalar(
            select(Household).join(Case, Case.household_id == Household.id).where(Household.phone.is_not(None))
        )
        db.session.commit()
        return {
            "jurists": [(u.email, u.territories) for u in people if u.role == "jurist"],
            "managers": [u.email for u in people if u.role == "manager"],
            "caller": household.phone,
            "name": str(escape(household.display_name)),  # as the banner's HTML writes it
        }


class Tab(threading.Thread):
    """One open page: its own connection and cookie, asking `path` every `every` seconds with its ETag."""

    def __init__(self, port, cookie, path, every, stopping, name=None):
        super().__init__(daemon=True)
        self.port, self.cookie, self.path, self.every, self.stopping, self.name_ = (
            port,
            cookie,
            path,
            every,
            stopping,
            name,
        )
        self.latency: dict[int, list[float]] = defaultdict(list)
        self.errors = 0
        self.what: list[str] = []  # each error: its status or exception
        self.banner_at: float | None = None

    def run(self) -> None:
        connection, reused = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30), False
        tag = None
        while not self.stopping.is_set():
            headers = {"Cookie": self.cookie, "User-Agent": "hotline-bench"} | ({"If-None-Match": tag} if tag else {})
            started = time.perf_counter()
            try:
                connection.request("GET", self.path, headers=headers)
                response = connection.getresponse()
                body = response.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if not reused:  # a kept-alive connection the server closed meanwhile: asked again, as browsers do
                    self.errors += 1
                    self.what.append(type(error).__name__)
                reused = False
                continue
            reused = True
            self.latency[response.status].append(time.perf_counter() - started)
            if response.status == 200:
                tag = response.getheader("ETag")
                if self.name_ and self.name_ in body and self.banner_at is None:
                    self.banner_at = time.monotonic()
            elif response.status != 304:
                self.errors += 1
                self.what.append(str(response.status))
            self.stopping.wait(self.every)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children (gunicorn's master and workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid or int(entry.name) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def ring(port: int, caller: str) -> float:
    """The webhooks of a call up to the ring; the instant the <Dial> came back."""
    for path, extra in (("/ivr/voice", {}), ("/ivr/postal/choice", {"Digits": "62200"}), ("/ivr/route", {})):
        params = {"CallSid": "CAbenchpop", "AccountSid": "AC" + "0" * 32, "From": caller, "To": GREEN_NUMBER, **extra}
        body, signature = signed(path, params)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        answer = connection.getresponse()
        text = answer.read().decode()
        if answer.status != 200:
            raise RuntimeError(f"{path}: {answer.status}")
    if "<Dial" not in text:
        raise RuntimeError("the call did not ring anyone: " + text)
    return time.monotonic()


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] if len(values) > 1 else (values or [0])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--tabs", type=int, default=2, help="open pages per demo jurist")
    parser.add_argument("--managers", type=int, default=2, help="open line-now pages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-live-") as folder:
        print("demo database...", flush=True)
        env = demo_database(Path(folder))
        env |= {"HOTLINE_FIXED_NOW": MORNING, "HOTLINE_IVR_NUMBERS": f"{GREEN_NUMBER}=prevention_expulsion"}
        plan = prepare(env)
        port = free_port()
        server = gunicorn(WEB_APP, port, env, workers=WORKERS, threads=THREADS)
        try:
            wait_until_healthy(port)
            stopping = threading.Event()
            tabs = []
            for email, territories in plan["jurists"]:
                cookie = log_in(port, email)
                for _ in range(args.tabs):
                    tab = Tab(port, cookie, "/calls/pop", 1.0, stopping, plan["name"])
                    tab.rung = "boulonnais" in territories
                    tabs.append(tab)
            for email in plan["managers"][:1] * args.managers:
                tabs.append(Tab(port, log_in(port, email), "/calls/line/now", 2.0, stopping))
            cpu_before, started = cpu_seconds(server.pid), time.monotonic()
            for tab in tabs:
                tab.start()
            time.sleep(args.seconds / 3)
            rung = ring(port, plan["caller"])
            time.sleep(args.seconds * 2 / 3)
            stopping.set()
            for tab in tabs:
                tab.join(timeout=30)
            elapsed, cpu = time.monotonic() - started, cpu_seconds(server.pid) - cpu_before
        finally:
            stop(server)
    report(tabs, rung, elapsed, cpu, args)


def report(tabs, rung, elapsed, cpu, args) -> None:
    jurist_tabs = [t for t in tabs if t.path == "/calls/pop"]
    print(
        f"\n{elapsed:.0f} s, gunicorn -w {WORKERS} --threads {THREADS}, SQLite with the demo data: "
        f"{len(jurist_tabs)} jurists' pages polling /calls/pop every 1 s, "
        f"{len(tabs) - len(jurist_tabs)} line-now pages polling every 2 s"
    )
    for path in ("/calls/pop", "/calls/line/now"):
        for status in (304, 200):
            values = [v for t in tabs if t.path == path for v in t.latency.get(status, [])]
            if values:
                print(
                    f"  {path} {status}: {len(values)} answers, p50 {quantile(values, 0.5) * 1000:.1f} ms, "
                    f"p99 {quantile(values, 0.99) * 1000:.1f} ms"
                )
    total = sum(len(v) for t in tabs for v in t.latency.values())
    print(f"  {total / elapsed:.1f} requests/s; server CPU {cpu:.1f} s = {100 * cpu / elapsed:.0f} % of one core")
    print(
        f"  errors (not a 200 or 304, or no answer): {sum(t.errors for t in tabs)} {[w for t in tabs for w in t.what]}"
    )
    delays = sorted(t.banner_at - rung for t in jurist_tabs if t.rung and t.banner_at)
    missing = sum(1 for t in jurist_tabs if t.rung and not t.banner_at)
    wrong = sum(1 for t in jurist_tabs if not t.rung and t.banner_at)
    if delays:
        print(
            f"  banner after the ring, {len(delays)} tabs of the rung jurists: max {max(delays):.2f} s, "
            f"median {statistics.median(delays):.2f} s; never came: {missing}; shown to a jurist not rung: {wrong}"
        )
    if missing or wrong or any(t.errors for t in tabs) or not delays or max(delays) >= 2:
        sys.exit(1)


if __name__ == "__main__":
    main()
