"""The voice line's circuit breaker: once the database has failed, callers go straight to the
backup number, without waiting for the database again, until one probe finds it back.

Every step writes its call-log statement in its own request, committed before Twilio gets the
answer. When a step finds the database failing (an error of the connection, or the step's deadline
passed), the circuit of its process opens for IVR_CIRCUIT_SECONDS: every step then answers the
backup number at once and touches no database. After that time, the first step to come is the
probe: it runs (with a `SELECT 1` first, so that a step which needs no database cannot close the
circuit by itself); the other steps keep answering the backup number meanwhile. The probe's success
closes the circuit; its failure opens it again. While the circuit is closed it costs nothing: there
is no health query before the steps.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("hotline.ivr")

OPEN_SECONDS = 5.0  # default of IVR_CIRCUIT_SECONDS
DATABASE_FAILURES = (OperationalError, InterfaceError, PoolTimeout)  # the database, not the request


class DatabaseUnavailable(RuntimeError):
    """The circuit is open: the step sends the caller to the backup number."""


class Circuit:
    """One per process (each gunicorn worker has its own); safe to use from several threads."""

    def __init__(self, open_seconds: float = OPEN_SECONDS):
        self.open_seconds = open_seconds
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed
        self._probing = False

    @property
    def closed(self) -> bool:
        return self._open_until is None

    def admit(self) -> bool:
        """May this request use the database? True when it is the probe of an open circuit, False
        when the circuit is closed; raises DatabaseUnavailable while open or while another probes."""
        if self._open_until is None:  # the usual case takes no lock
            return False
        with self._lock:
            if self._open_until is None:
                return False
            if self._probing or time.monotonic() < self._open_until:
                raise DatabaseUnavailable("the voice line's circuit is open")
            self._probing = True
            return True

    def reset(self) -> None:
        """Closed, as at the start (tests)."""
        with self._lock:
            self._open_until, self._probing = None, False

    def record(self, healthy: bool, probe: bool) -> None:
        """How the request admitted by admit() found the database."""
        if healthy and not probe and self._open_until is None:
            return
        with self._lock:
            if probe:
                self._probing = False
            if healthy:
                if self._open_until is not None:
                    log.warning("ivr: database answers again; circuit closed")
                self._open_until = None
            else:
                if self._open_until is None:
                    log.error("ivr: database failing; callers sent to the backup number for %.0f s", self.open_seconds)
                self._open_until = time.monotonic() + self.open_seconds


def install(app: Flask) -> None:
    app.extensions["hotline.ivr_circuit"] = Circuit(float(app.config.get("IVR_CIRCUIT_SECONDS") or OPEN_SECONDS))


def circuit() -> Circuit:
    return current_app.extensions["hotline.ivr_circuit"]


def circuit_of(app: Flask) -> Circuit:
    """The circuit of the voice app mounted in the web app `app` (or of the voice app itself)."""
    return app.extensions.get("hotline.voice", app).extensions["hotline.ivr_circuit"]
