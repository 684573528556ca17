"""Load benchmark of the voice menu's entry and postal-code steps, against a bare Flask baseline.

Starts gunicorn with the documented worker model (`common.py`: 3 single-threaded processes) on the
real app, with SQLite holding the demo data, and on a bare Flask app that returns the same TwiML;
drives both with wrk (32 then 4 connections, every request a new Twilio-signed call) in alternating
rounds, and prints requests/s, p50, p99 and the ratios. Every step commits its call-log statement in
its request. Targets: at 32 connections, at least 25 % of the bare endpoint's throughput; at 4
connections, p99 under 50 ms (at 32 a saturated server's p99 is its queue, not the line's latency).
Usage: python bench/ivr_load.py [--seconds 10] [--rounds 3] [--connections 32,4] [--steps entry,postal]
       [--workers 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import (
    BACKUP,
    PUBLIC,
    ROOT,
    THREADS,
    TOKEN,
    VOICE_APP,
    WORKERS,
    call_params,
    demo_database,
    free_port,
    gunicorn,
    signed,
    stop,
    wait_for,
    warm_up,
)
from sqlalchemy import func, insert, select

from hotline import create_app
from hotline.core.models_base import utcnow
from hotline.extensions import db
from hotline.ivr.models import Call

STEPS = {"entry": ("voice", {}), "postal": ("postal/choice", {"Digits": "62200"})}
# For diagnosis only (--steps): a question step (signature and TwiML, no database) and the fallback.
EXTRA_STEPS = {"menu": ("mission", {}), "fallback": ("fallback", {})}
POOL = 60000  # signed requests per step, round and connection count, each with its own CallSid (wrk's two
# threads take a half each: the hotline runs make fewer than 30 000 requests a thread, so no CallSid comes twice)
TARGET_RATIO, RATIO_CONNECTIONS = 0.25, 32  # throughput against the bare endpoint, saturated
TARGET_P99_MS, P99_CONNECTIONS = 50, 4  # the line's own latency, unsaturated


def signed_requests(step: str, extra: dict, count: int, prefix: str) -> list[tuple[str, str, str]]:
    path = f"/ivr/{step}"
    return [(path, *signed(path, call_params(f"CA{prefix}{n:012d}", **extra))) for n in range(count)]


def lua_script(requests: list[tuple[str, str, str]], folder: Path, name: str) -> Path:
    data = folder / f"{name}-data.lua"
    with open(data, "w", encoding="utf-8") as fh:
        fh.write("return {\n")
        for path, body, signature in requests:
            fh.write(f'{{"{path}","{body}","{signature}"}},\n')
        fh.write("}\n")
    script = folder / f"{name}.lua"
    script.write_text(
        f"""
local counter, threads = 1, {{}}
function setup(thread) thread:set("id", counter); counter = counter + 1; table.insert(threads, thread) end
function init(args) requests = dofile("{data}"); i = (id - 1) * math.floor(#requests / 2); backups = 0 end
function response(status, headers, body)
  if body:find("{BACKUP}", 1, true) then backups = backups + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do n = n + thread:get("backups") end
  io.write("backup answers: " .. n .. "\\n")
end
function request()
  i = i + 1
  local r = requests[(i % #requests) + 1]
  return wrk.format("POST", r[1], {{["Content-Type"] = "application/x-www-form-urlencoded",
                                   ["X-Twilio-Signature"] = r[3]}}, r[2])
end
""",
        encoding="utf-8",
    )
    return script


def run_wrk(port: int, script: Path, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label):
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "backup": int(re.search(r"backup answers: (\d+)", out).group(1)),
        "p99": ms("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--connections",
        default=f"{RATIO_CONNECTIONS},{P99_CONNECTIONS}",
        help="comma-separated: each is measured in every round",
    )
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--steps", default="entry,postal", help="among: entry, postal, menu, fallback")
    args = parser.parse_args()
    steps = {name: (STEPS | EXTRA_STEPS)[name] for name in args.steps.split(",")}
    args.connections = [int(n) for n in args.connections.split(",")]
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    env = demo_database(work)

    # The TwiML the real app answers, served as-is by the bare baseline.
    app = create_app(
        {
            "DATABASE_URL": env["HOTLINE_DATABASE_URL"],
            "SECRET_KEY": "bench",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_URL": PUBLIC,
            "PROXY_HOPS": 0,
        }
    )
    client = app.test_client()
    bodies = {}
    for step, extra in steps.values():
        path, body, signature = signed_requests(step, extra, 1, "warmup")[0]
        response = client.post(
            path, data=body, content_type="application/x-www-form-urlencoded", headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200, response.data
        bodies[step] = response.get_data(as_text=True)
    (work / "bodies.json").write_text(json.dumps(bodies), encoding="utf-8")

    # The postal step follows the entry of a call: its calls already have their row.
    pools = {
        (round_, name, n): signed_requests(step, extra, POOL, f"{round_}{name[0]}{n:02d}")
        for round_ in range(args.rounds)
        for name, (step, extra) in steps.items()
        for n in args.connections
    }
    with app.app_context():
        for (round_, name, connections), requests in pools.items():
            if name == "postal":
                rows = [
                    {
                        "call_sid": f"CA{round_}p{connections:02d}{n:012d}",
                        "started_at": utcnow(),
                        "path": "accueil",
                        "mission": "prevention_expulsion",
                        "tries": 0,
                        "outcome": "in_progress",
                    }
                    for n in range(len(requests))
                ]
                db.session.execute(insert(Call), rows)
        db.session.commit()

    app_port, bare_port = free_port(), free_port()
    model = {"workers": args.workers, "threads": args.threads}
    servers = [
        gunicorn(VOICE_APP, app_port, env, **model),
        gunicorn("bare_app:app", bare_port, dict(env, BENCH_BODIES=str(work / "bodies.json")), ROOT / "bench", **model),
    ]
    results: dict[tuple[str, int], dict[str, list[dict]]] = {}
    try:
        for port in (app_port, bare_port):
            wait_for(port)
            warm_up(port)
        for round_ in range(args.rounds):
            for name in steps:
                for connections in args.connections:
                    script = lua_script(pools[(round_, name, connections)], work, f"{name}{round_}-{connections}")
                    for target, port in (("bare", bare_port), ("hotline", app_port)):
                        results.setdefault((name, connections), {}).setdefault(target, []).append(
                            run_wrk(port, script, args.seconds, connections)
                        )
        if "entry" in steps:  # committed in the request: the rows are there while the servers still run
            check_call_log(
                app, [run for (name, _), targets in results.items() if name == "entry" for run in targets["hotline"]]
            )
    finally:
        for server in servers:
            stop(server)
    report(results, args)
    shutil.rmtree(work, ignore_errors=True)


def check_call_log(app, runs: list[dict]) -> None:
    """Every entry answered must have its call-log row, written before the answer."""
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Call).where(Call.call_sid.like("CA_e%")))
    answered = sum(min(run["requests"], POOL) - run["backup"] for run in runs)  # a pool's CallSids are distinct
    backups = sum(run["backup"] for run in runs)
    print(
        f"\ncall log: {rows} rows for {answered} entry requests answered with the menu by hotline"
        f" ({'none lost' if rows >= answered else f'{answered - rows} LOST'}); {backups} sent to the backup number"
    )


def report(results: dict, args) -> None:
    print(
        f"\n{args.seconds} s x {args.rounds} rounds, gunicorn -w {args.workers} --threads {args.threads}, "
        f"{os.cpu_count()} cores (medians of the rounds); every request a new call, every statement committed "
        "in the request\n"
    )
    print(
        f"{'step':<8} {'conns':>5} {'target':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'backup':>8}"
    )
    summary = {}
    for (name, connections), targets in results.items():
        med = {
            t: {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99", "non_2xx", "backup")}
            for t, runs in targets.items()
        }
        for target in ("bare", "hotline"):
            m = med[target]
            print(
                f"{name:<8} {connections:>5} {target:<8} {m['rps']:>9.0f} {m['p50']:>8.1f} {m['p99']:>8.1f} "
                f"{m['non_2xx']:>8.0f} {m['backup']:>8.0f}"
            )
        ratio = med["hotline"]["rps"] / med["bare"]["rps"]
        p99 = med["hotline"]["p99"]
        verdicts = []
        if connections == RATIO_CONNECTIONS:
            verdicts.append(f">= {TARGET_RATIO:.0%} of bare: {'met' if ratio >= TARGET_RATIO else 'NOT met'}")
        if connections == P99_CONNECTIONS:
            verdicts.append(f"p99 < {TARGET_P99_MS} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'}")
        print(
            f"{name:<8} {connections:>5} ratio    throughput {ratio:.0%} of bare, p99 x{p99 / med['bare']['p99']:.1f}"
            + (f"; target {', '.join(verdicts)}" if verdicts else "")
        )
        if any(run["requests"] > POOL for run in targets["hotline"]):
            print(f"{name:<8} {connections:>5} WARNING: more requests than CallSids in a run: some calls repeated")
        summary[f"{name}@{connections}"] = {
            "median": med,
            "throughput_ratio": ratio,
            "p99_ratio": p99 / med["bare"]["p99"],
        }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
