"""Contention benchmark of the web pages: many jurists writing for the same households at once.

Starts the README's production command for the pages (`gunicorn -w 2 --threads 8 'hotline.wsgi:app'`,
from this venv) on a fresh demo database: SQLite in a temporary folder, or the PostgreSQL database
named by --database (emptied first). 20 client threads, logged in as the demo jurists, write for the
same 5 households for 60 s: a consultation (the form opened, posted, and the redirect followed, as a
browser does) and a callback of one of these households (taken, then marked done), in turn. Then it
prints the responses by status, the errors (a 5xx or no answer: there must be none), p50 and p99 of
each kind of request, and checks the database: every consultation whose redirect was received is
there, for its household; every callback whose "done" was answered is done.
Usage: python bench/contention.py [--seconds 60] [--clients 20] [--households 5]
       [--database postgresql://user@127.0.0.1:5432/name] [--workers 2] [--threads 8]
Loopback only. Exits with 1 when an error was answered or an acknowledged row is missing.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from common import environment, flask_command, free_port, gunicorn, stop, wait_for
from sqlalchemy import func, select, text

from hotline import create_app
from hotline.auth.models import User
from hotline.auth.passwords import hash_password
from hotline.consultations.models import Consultation, Household
from hotline.core.models_base import utcnow
from hotline.extensions import db
from hotline.ivr.models import CALLBACK_RESULTS, Call, CallbackTask
from hotline.reference import theme_codes

WEB_APP = "hotline.wsgi:app"
# The pages' production worker model (README, "Production notes").
WORKERS, THREADS = 2, 8
PASSWORD = "Bench-Contention-62"
MISSION = "info_logement"
TASKS_PER_HOUSEHOLD = 800  # more than 20 clients take in 60 s
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SAVED = re.compile(r"/consultations/(\d+)$")


def prepare(env: dict, households: int) -> dict:
    """The fixed part of the run, written before the server starts: the jurists' passwords, the
    households, and open callbacks from these households' numbers."""
    app = create_app({"DATABASE_URL": env["HOTLINE_DATABASE_URL"], "SECRET_KEY": "bench", "TWILIO_AUTH_TOKEN": "x"})
    with app.app_context():
        jurists = list(db.session.scalars(select(User).where(User.role == "jurist").order_by(User.id)))
        digest = hash_password(PASSWORD)
        for user in jurists:
            user.password_hash = digest
        chosen = list(
            db.session.scalars(
                select(Household)
                .where(Household.phone.is_not(None))
                .where(Household.id.in_(select(Consultation.household_id).where(Consultation.mission == MISSION)))
                .order_by(Household.id)
                .limit(households)
            )
        )
        tasks = defaultdict(list)
        started = utcnow() - timedelta(hours=1)
        for household in chosen:
            for n in range(TASKS_PER_HOUSEHOLD):
                call = Call(
                    call_sid=f"CAbench{household.id:06d}{n:06d}",
                    from_number=household.phone,
                    to_number="+33800000063",
                    mission=MISSION,
                    territory_code=household.commune.territory_code if household.commune else None,
                    started_at=started,
                    ended_at=started,
                    outcome="voicemail",
                )
                db.session.add(call)
                db.session.flush()
                task = CallbackTask(call_id=call.id, kind="voicemail")
                db.session.add(task)
                db.session.flush()
                tasks[household.id].append(task.id)
        db.session.commit()
        return {
            "emails": [user.email for user in jurists],
            "households": [h.id for h in chosen],
            "tasks": tasks,
            "theme": next(iter(theme_codes())),
            "result": next(iter(CALLBACK_RESULTS)),
        }


class Client(threading.Thread):
    """One jurist's browser: its own connection and session cookie."""

    def __init__(self, port: int, number: int, plan: dict, tasks, stopping: threading.Event, cookie: str):
        super().__init__(daemon=True)
        self.port, self.number, self.plan, self.tasks, self.stopping = port, number, plan, tasks, stopping
        self.cookie = cookie
        self.connection = None
        self.statuses: Counter = Counter()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.saved: list[tuple[int, int]] = []  # (consultation, household) whose redirect came back
        self.refused = 0  # a consultation form sent back with an error (nothing saved)
        self.done: list[int] = []  # callbacks whose "done" was answered
        self.token = None

    def request(self, kind: str, method: str, path: str, form: dict | None = None) -> http.client.HTTPResponse | None:
        body = urlencode(form, doseq=True) if form is not None else None
        headers = {"Cookie": self.cookie, "User-Agent": "hotline-bench"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            response.text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.latency[kind].append(time.perf_counter() - started)
            self.statuses["no answer"] += 1
            self.errors.append(f"{method} {kind}: {type(error).__name__}")
            self.connection.close()
            self.connection = None
            return None
        self.latency[kind].append(time.perf_counter() - started)
        self.statuses[response.status] += 1
        if response.status >= 500:
            self.errors.append(f"{method} {kind}: {response.status}")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response

    def consultation(self, household: int) -> None:
        page = self.request("GET /consultations/new", "GET", f"/consultations/new?household={household}")
        if page is None or page.status != 200:
            return
        self.token = CSRF.search(page.text).group(1)
        form = {
            "csrf_token": self.token,
            "household_id": str(household),
            "date": time.strftime("%Y-%m-%d"),
            "mission": MISSION,
            "mode": "telephone",
            "consultant_type": "particulier",
            "commune": "62498",
            "themes": [self.plan["theme"]],
            "notes": f"bench client {self.number}",
        }
        answer = self.request("POST /consultations/new", "POST", "/consultations/new", form)
        if answer is None:
            return
        if answer.status == 200:
            self.refused += 1
            return
        saved = SAVED.search(answer.getheader("Location") or "")
        if answer.status == 302 and saved:
            self.saved.append((int(saved.group(1)), household))
            self.request("GET /consultations/<id>", "GET", f"/consultations/{saved.group(1)}")

    def callback(self, household: int) -> None:
        task = next(self.tasks[household], None)
        if task is None or self.token is None:
            return
        claimed = self.request(
            "POST /calls/tasks/<id>/claim", "POST", f"/calls/tasks/{task}/claim", {"csrf_token": self.token}
        )
        if claimed is None or claimed.status != 302:
            return
        done = self.request(
            "POST /calls/tasks/<id>/done",
            "POST",
            f"/calls/tasks/{task}/done",
            {"csrf_token": self.token, "result": self.plan["result"], "comment": ""},
        )
        if done is not None and done.status == 302:
            self.done.append(task)

    def run(self) -> None:
        households = itertools.cycle(
            self.plan["households"][self.number % len(self.plan["households"]) :]
            + self.plan["households"][: self.number % len(self.plan["households"])]
        )
        while not self.stopping.is_set():
            household = next(households)
            self.consultation(household)
            if not self.stopping.is_set():
                self.callback(household)


def log_in(port: int, email: str) -> str:
    """A session cookie of the jurist (one login per account: the login form is rate-limited)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"User-Agent": "hotline-bench"}
    connection.request("GET", "/login", headers=headers)
    page = connection.getresponse()
    html = page.read().decode()
    cookie = next(v.split(";", 1)[0] for h, v in page.getheaders() if h.lower() == "set-cookie")
    form = urlencode({"email": email, "password": PASSWORD, "csrf_token": CSRF.search(html).group(1)})
    connection.request(
        "POST", "/login", form, headers | {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    )
    answer = connection.getresponse()
    answer.read()
    if answer.status != 302:
        raise RuntimeError(f"login of {email}: {answer.status}")
    connection.close()
    return next(v.split(";", 1)[0] for h, v in answer.getheaders() if h.lower() == "set-cookie")


def wait_until_healthy(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the pages' server does not answer /healthz")


def fresh_database(url: str | None, folder: Path) -> dict:
    """The demo data in a new SQLite file, or in the PostgreSQL database named (emptied first)."""
    env = environment(url or f"sqlite:///{folder}/contention.sqlite3")
    if url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TWILIO_AUTH_TOKEN": "x"})
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    flask_command(env, "db", "upgrade")
    flask_command(env, "demo")
    return env


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def check(env: dict, saved: list[tuple[int, int]], done: list[int]) -> tuple[int, int]:
    """(consultations acknowledged but missing or not of their household, callbacks acknowledged but not done)."""
    app = create_app({"DATABASE_URL": env["HOTLINE_DATABASE_URL"], "SECRET_KEY": "bench", "TWILIO_AUTH_TOKEN": "x"})
    with app.app_context():
        found = (
            dict(
                db.session.execute(
                    select(Consultation.id, Consultation.household_id).where(Consultation.id.in_([c for c, _ in saved]))
                ).all()
            )
            if saved
            else {}
        )
        finished = (
            set(
                db.session.scalars(
                    select(CallbackTask.id).where(CallbackTask.id.in_(done)).where(CallbackTask.status == "done")
                )
            )
            if done
            else set()
        )
        written = db.session.scalar(
            select(func.count()).select_from(Consultation).where(Consultation.notes.like("bench client %"))
        )
    missing = sum(1 for consultation, household in saved if found.get(consultation) != household)
    print(f"consultations written by the clients: {written} (redirects received: {len(saved)})")
    return missing, len(set(done) - finished)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--households", type=int, default=5)
    parser.add_argument("--database", help="a PostgreSQL URL (its database is emptied); SQLite by default")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotline-contention-"))
    env = fresh_database(args.database, work)
    plan = prepare(env, args.households)
    tasks = {household: iter(ids) for household, ids in plan["tasks"].items()}  # shared: each task taken once
    tasks = {household: _Locked(iterator) for household, iterator in tasks.items()}
    port = free_port()
    server = gunicorn(WEB_APP, port, env, workers=args.workers, threads=args.threads)
    stopping = threading.Event()
    try:
        wait_for(port)
        wait_until_healthy(port)
        cookies = [log_in(port, email) for email in plan["emails"]]
        clients = [Client(port, n, plan, tasks, stopping, cookies[n % len(cookies)]) for n in range(args.clients)]
        started = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(args.seconds)
        stopping.set()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
    finally:
        stop(server)
    statuses = sum((client.statuses for client in clients), Counter())
    latency = defaultdict(list)
    for client in clients:
        for kind, values in client.latency.items():
            latency[kind].extend(values)
    everything = [value for values in latency.values() for value in values]
    errors = [error for client in clients for error in client.errors]
    saved = [row for client in clients for row in client.saved]
    done = [task for client in clients for task in client.done]
    backend = "PostgreSQL" if args.database else "SQLite"
    print(
        f"\n{backend}, gunicorn -w {args.workers} --threads {args.threads} '{WEB_APP}', {args.clients} clients, "
        f"{len(plan['households'])} households, {elapsed:.0f} s: {sum(statuses.values())} requests "
        f"({sum(statuses.values()) / elapsed:.1f}/s)"
    )
    print(
        "responses by status: " + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items(), key=str))
    )
    print(f"errors (5xx or no answer): {len(errors)}" + (f" {Counter(errors).most_common()}" if errors else ""))
    print(
        f"all requests: p50 {percentile(everything, 0.5):.0f} ms, p99 {percentile(everything, 0.99):.0f} ms, "
        f"max {max(everything) * 1000:.0f} ms"
    )
    for kind in sorted(latency):
        values = latency[kind]
        print(
            f"  {kind:<30} {len(values):>6}  p50 {percentile(values, 0.5):>5.0f} ms  p99 "
            f"{percentile(values, 0.99):>6.0f} ms  mean {statistics.mean(values) * 1000:>5.0f} ms"
        )
    refused = sum(client.refused for client in clients)
    missing, not_done = check(env, saved, done)
    print(f"consultation forms sent back (not saved): {refused}")
    print(
        f"acknowledged rows: {len(saved)} consultations, {len(done)} callbacks done; "
        f"missing: {missing} consultations, {not_done} callbacks"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 1 if errors or missing or not_done or refused else 0


class _Locked:
    """An iterator the clients share: each callback is taken by one client."""

    def __init__(self, iterator):
        self.iterator, self.lock = iterator, threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            return next(self.iterator)


if __name__ == "__main__":
    sys.exit(main())
