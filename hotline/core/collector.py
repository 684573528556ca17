"""The cyclic garbage collector paused while a long read or write makes many short-lived containers (an
import's batches, a report's rows): their collections would walk every object of the process, the kept
caches' included, several times a request. What they free is freed by reference counting; the cycles they
leave are collected once the collector is back. Re-entrant across threads: the collector comes back when the
last one leaves."""

from __future__ import annotations

import gc
import threading

COLLECT_EVERY = 25  # collect_young() calls between two collections of the young generations


class CollectorPause:
    def __init__(self):
        self.lock, self.depth, self.was_enabled, self.calls = threading.Lock(), 0, True, 0

    def __enter__(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1

    def __exit__(self, *_exc) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.was_enabled:
                gc.enable()

    def collect_young(self) -> None:
        """Every COLLECT_EVERY calls (an import's batches: 50 000 rows), the reference cycles made meanwhile
        (SQLAlchemy's results and states), from the young generations only (cheap: the batches' own objects),
        so that memory stays flat over a long pause. A batch leaves some 50 unreachable objects, and a
        collection walks the 18 000 that live (15 to 80 ms, measured): once a batch, it took 1.9 s of a
        50 000-row import (two passes)."""
        self.calls += 1
        if self.depth and self.was_enabled and self.calls % COLLECT_EVERY == 0:
            gc.collect(1)


paused = CollectorPause()  # the process's one pause (nested uses share it)
