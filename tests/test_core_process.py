"""core.collector: the cyclic collector paused for a long read or write, back when the last user leaves, even on an
error; the reports' reads use it (a warm page at 1M set off a full collection of the process's kept summaries).
core.kept: what a process keeps of what it computed, bounded."""

import gc
import threading
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.core.collector import CollectorPause
from hotline.reports import rollup, services


def test_nested_and_threaded_pauses_bring_the_collector_back_once_all_have_left():
    pause = CollectorPause()
    assert gc.isenabled()
    entered, leave = threading.Event(), threading.Event()

    def other():
        with pause:
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    with pause:
        thread.start()
        entered.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_an_error_inside_brings_the_collector_back():
    pause = CollectorPause()
    with pytest.raises(ValueError), pause:
        raise ValueError
    assert gc.isenabled()


def test_the_reports_read_with_the_collector_paused_and_give_it_back(ctx, monkeypatch):
    seen = []
    real = rollup.page_rows

    def page_rows(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(rollup, "page_rows", page_rows)
    now, zone = datetime(2026, 12, 7, 9, tzinfo=UTC), ZoneInfo("Europe/Paris")
    services.page(date(2026, 1, 1), date(2026, 11, 1), ["prevention_expulsion"], now, zone)
    assert seen == [False] and gc.isenabled()

    def failing(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(rollup, "export_rows", failing)
    with pytest.raises(RuntimeError):
        services.report(date(2026, 1, 1), date(2026, 11, 1), ["prevention_expulsion"], now, zone)
    assert gc.isenabled()


def test_what_a_process_keeps_is_bounded_and_forgotten_all_at_once():
    from hotline.core.kept import Kept

    kept = Kept(2)
    assert kept.keep("a", 1) == 1 and kept.keep("b", 2) == 2
    assert kept.keep("a", 3) == 3 and dict(kept) == {"a": 3, "b": 2}  # a key held again: nothing forgotten
    kept.keep("c", 4)
    assert dict(kept) == {"c": 4}
