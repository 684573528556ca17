"""The year's XLSX and PDF downloads at scale, each part timed on its own (issue 18, item 8).

For a filled SQLite database (e.g. `report_scale.py --generate-directly --keep DIR`'s direct-1000000.sqlite3; it
is written to: the manager the GETs log in as, their audit events, so give it a copy), times, each measure in a
fresh process (its own peak memory, VmHWM):

- baseline:   one SQL GROUP BY of the year's consultations by mission, month and territory (the yardstick);
- read:       the report read alone, as the export view reads it (services.report() of the year, then of the
              year before);
- read-view:  the read as the checkout's export view does it (views._report, in a request's context): the same as
              `read` where the view reads services.report() twice; the year before as the page reads it since
              session 10;
- xlsx-write: from that read (not timed), the XLSX alone: bilan.assemble() then workbook.to_xlsx();
- pdf-write:  from that read (not timed), the PDF alone: pdf.build() (matplotlib loaded, the charts drawn), then
              a second build in the same process with the charts' cache emptied (matplotlib already loaded);
- get-xlsx, get-pdf: GET /reports/export.xlsx and .pdf for the year as a logged-in manager (the whole request; since
              session 11 the PDF reads the page's rows, services.page, and the XLSX and CSV the whole report);
- get-pdf-warm: the same PDF GET a second time in the same process, the charts' cache emptied: what a manager waits
              for from a long-lived web worker that has already made a PDF (fpdf2 and matplotlib loaded, their
              fonts read), where get-pdf is a process's first.

`--code DIR ...` names the checkouts whose hotline the children import (first on sys.path; e.g. a `git archive`
of main and this worktree); each round runs every measure of every checkout in turn, so that a before and an after
share the machine's load. `--runs 3` rounds, then the medians (min-max), each measure's ratio to the baseline of
its own round and checkout, peak memory and the load average (/proc/loadavg) when each measure started.
`--save DIR` keeps the downloads of the last round (<label>.xlsx, <label>.pdf) to compare the outputs.
`--rows FILE` keeps the first child's read in FILE (pickled; removed by hand) and gives it to the other children
instead of their own read: xlsx-write and pdf-write then time the writing alone, without a 6-10 s read per child.
`--env LABEL=NAME=VALUE` sets a variable in one checkout's children (e.g. `main=OPENPYXL_LXML=False`: openpyxl
without lxml even when it is installed).

Usage: python bench/report_exports.py --database /work/perfdata/x/direct-1000000.sqlite3
       [--code main=/tmp/main after=.] [--runs 3] [--only read xlsx-write] [--save DIR] [--rows FILE]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("baseline", "read", "read-view", "xlsx-write", "pdf-write", "get-xlsx", "get-pdf", "get-pdf-warm")
FIRST, LAST = date(2026, 1, 1), date(2026, 12, 1)
QUERY = "from=2026-01&to=2026-12"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Paris")


def app_for(url: str):
    """The app of the checkout first on sys.path; report_scale (bench/, which puts this checkout's folder first on
    sys.path) is imported only once hotline is."""
    importlib.import_module("hotline")  # from BENCH_CODE, before report_scale changes sys.path
    from report_scale import app_for as made

    return made(url, {"WTF_CSRF_ENABLED": False})


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would count the parent's, kept across exec)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _read():
    """The rows of the year and of the year before, as the export view reads them (views._report)."""
    from hotline.reports import bilan, services

    missions = ["info_logement", "prevention_expulsion"]
    rows = services.report(FIRST, LAST, missions, NOW, ZONE)
    previous = services.report(*bilan.year_before(FIRST, LAST), missions, NOW, ZONE)
    return rows, previous, missions


def _read_or_load():
    """The read, or with --rows FILE the read the first child saved there (pickled): the writers then measured alone,
    each child without its 6-10 s read (less time, less load on a shared machine)."""
    saved = os.environ.get("BENCH_ROWS")
    if saved and os.path.exists(saved):
        with open(saved, "rb") as file:
            return pickle.load(file)  # noqa: S301 (our own file, written below)
    read = _read()
    if saved:
        with open(saved, "wb") as file:
            pickle.dump(read, file)
    return read


class _Clock:
    """Wall-clock and CPU seconds since it was made (the CPU's is this process's own: the machine is shared)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def _get(app, path: str, save: Path | None) -> dict:
    from report_scale import _login  # the manager, logged in through the login form

    client = _login(app)
    clock = _Clock()
    response = client.get(f"{path}?{QUERY}")
    seconds, cpu = clock.read()
    assert response.status_code == 200, response.status_code
    if save is not None:
        save.write_bytes(response.data)
    return {"seconds": seconds, "cpu": cpu, "size": len(response.data)}


def _baseline() -> int:
    from sqlalchemy import text

    from hotline.extensions import db

    return len(
        db.session.execute(
            text(
                "SELECT mission, substr(date, 1, 7), territory_code, count(*) FROM consultations "
                "WHERE date >= :first AND date < :end GROUP BY mission, substr(date, 1, 7), territory_code"
            ),
            {"first": FIRST, "end": date(2027, 1, 1)},
        ).all()
    )


def _written(what: str) -> dict:
    """The read (timed apart), then what `what` writes from it: the import of its library included, as in a
    request."""
    clock = _Clock()
    rows, previous, missions = _read_or_load()
    read, read_cpu = clock.read()
    result: dict = {"read": read, "read_cpu": read_cpu}
    if what == "read":
        return {**result, "seconds": read, "cpu": read_cpu, "size": len(rows) + len(previous)}
    from hotline.reference.services import territory_labels
    from hotline.reports import bilan

    labels = territory_labels()
    clock = _Clock()
    if what == "xlsx-write":
        bilans = bilan.assemble(rows, FIRST, LAST, missions, labels, previous, {})
        result["assemble"] = clock.read()[0]
        from hotline.reports import workbook  # openpyxl, as the view loads it

        body = workbook.to_xlsx(rows, bilans)
        seconds, cpu = clock.read()
        return {**result, "seconds": seconds, "cpu": cpu, "size": len(body), "rows": len(rows)}
    from hotline.reports import pdf  # fpdf2, as the view loads it

    body = pdf.build(rows, FIRST, LAST, missions, labels, NOW, previous, {})
    seconds, cpu = clock.read()
    from hotline.core import charts

    charts._drawn.cache_clear()  # the same charts drawn again, matplotlib already loaded
    clock = _Clock()
    pdf.build(rows, FIRST, LAST, missions, labels, NOW, previous, {})
    return {**result, "seconds": seconds, "cpu": cpu, "again": clock.read()[0], "size": len(body)}


def _view_read(app) -> dict:
    """The export's read as the checkout's own view makes it (views._report: the year and the year before)."""
    from hotline.reports import views

    with app.test_request_context(f"/reports/export.xlsx?{QUERY}"):
        values, errors = views._params()
        assert not errors, errors
        clock = _Clock()
        rows, previous = views._report(values)
        seconds, cpu = clock.read()
    return {"seconds": seconds, "cpu": cpu, "size": len(rows) + len(previous)}


def measure(what: str, url: str, save: str) -> dict:
    """In this (fresh) process: one measure; its seconds, what it produced and the peak resident memory."""
    load = float(open("/proc/loadavg").read().split()[0])
    app = app_for(url)
    if what == "read-view":
        result = _view_read(app)
    elif what == "get-pdf-warm":
        _get(app, "/reports/export.pdf", None)  # the process's first PDF, not timed
        from hotline.core import charts

        charts._drawn.cache_clear()  # the same charts drawn again: another range's would be
        result = _get(app, "/reports/export.pdf", Path(f"{save}-warm.pdf") if save else None)
    elif what in ("get-xlsx", "get-pdf"):
        fmt = what.removeprefix("get-")
        result = _get(app, f"/reports/export.{fmt}", Path(f"{save}.{fmt}") if save else None)
    else:
        with app.app_context():
            if what == "baseline":
                clock = _Clock()
                size = _baseline()
                seconds, cpu = clock.read()
                result = {"seconds": seconds, "cpu": cpu, "size": size}
            else:
                result = _written(what)
    return {**result, "load": load, "peak_mb": peak_mb()}


def in_child(what: str, url: str, code: str, env: dict[str, str], save: str, rows: str = "") -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", what, "--url", url, "--save", save],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "BENCH_CODE": code, **({"BENCH_ROWS": rows} if rows else {})},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="a filled SQLite database, written to (give a copy)")
    parser.add_argument("--code", nargs="+", default=[f"here={ROOT}"], help="LABEL=DIR: the checkouts to compare")
    parser.add_argument("--env", nargs="*", default=[], help="LABEL=NAME=VALUE: a variable for a checkout's children")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="+", default=list(MEASURES), choices=MEASURES)
    parser.add_argument("--save", help="a folder for the last round's downloads")
    parser.add_argument("--rows", help="a file for the read (pickled by the first child): the writers measured alone")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, os.environ["BENCH_CODE"])  # that checkout's hotline, not the installed one
        sys.path.insert(1, str(Path(__file__).resolve().parent))  # report_scale
        print(json.dumps(measure(args.measure, args.url, args.save)))
        return
    url = f"sqlite:///{Path(args.database).resolve()}"
    codes = dict(code.split("=", 1) for code in args.code)
    envs: dict[str, dict[str, str]] = {label: {} for label in codes}
    for setting in args.env:
        label, name, value = setting.split("=", 2)
        envs[label][name] = value
    measures = ["baseline", *(m for m in args.only if m != "baseline")]
    results: dict[str, dict[str, list[dict]]] = {label: {m: [] for m in measures} for label in codes}
    for round_ in range(args.runs):
        for label, code in codes.items():
            for what in measures:
                save = ""
                if args.save and round_ == args.runs - 1:
                    Path(args.save).mkdir(parents=True, exist_ok=True)
                    save = str(Path(args.save) / label)
                rows = str(Path(args.rows).resolve()) if args.rows else ""
                done = in_child(what, url, str(Path(code).resolve()), envs[label], save, rows)
                results[label][what].append(done)
                print(f"round {round_ + 1} {label:8} {what:10} " + json.dumps(done), flush=True)
    print(f"\nmedians of {args.runs} rounds (min-max), x the baseline of the same round and checkout:")
    for label in codes:
        baselines = [r["seconds"] for r in results[label]["baseline"]]
        print(f"{label} ({codes[label]}) {envs[label] or ''}")
        for what in measures:
            runs = results[label][what]
            seconds = [r["seconds"] for r in runs]
            ratios = [r["seconds"] / b for r, b in zip(runs, baselines, strict=True)]
            extra = f"  cpu {statistics.median(r['cpu'] for r in runs):.2f} s"
            for key in ("read", "assemble", "again"):
                if key in runs[0]:
                    extra += f"  {key} {statistics.median(r[key] for r in runs):.2f} s"
            print(
                f"    {what:10} {_spread(seconds)} s  x{statistics.median(ratios):.2f}"
                f"  peak {max(r['peak_mb'] for r in runs):4.0f} MB"
                f"  load {min(r['load'] for r in runs):.1f}-{max(r['load'] for r in runs):.1f}{extra}",
                flush=True,
            )


if __name__ == "__main__":
    main()
