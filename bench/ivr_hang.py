"""A hanging database (it accepts connections and never answers): how long do callers wait before
they hear the backup number?

Starts a TCP server that accepts and never answers, and gunicorn with the documented worker model
(`common.py`: 3 single-threaded processes; HOTLINE_IVR_DB_TIMEOUT=0.5) on a PostgreSQL URL pointing at it. Then
`--callers` callers (20) call the entry step at once; a second wave comes a second later, while the
circuits are open. Prints the median and the maximum time to the answer, and checks that each answer
dials the backup number. Target: every caller within 2 s.
Usage: python bench/ivr_hang.py [--callers 20] [--workers 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import threading
import time

from common import (
    BACKUP,
    THREADS,
    VOICE_APP,
    WORKERS,
    call_params,
    environment,
    free_port,
    gunicorn,
    signed,
    stop,
    wait_for,
    warm_up,
)

TARGET_SECONDS = 2.0


def hanging_server() -> tuple[int, threading.Event]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    server.settimeout(0.2)
    stopping, held = threading.Event(), []

    def accept():
        while not stopping.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue
        for connection in held:
            connection.close()
        server.close()

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1], stopping


def wave(port: int, callers: int, name: str) -> list[float]:
    barrier, times, wrong = threading.Barrier(callers), [], []

    def call(n: int) -> None:
        body, signature = signed("/ivr/voice", call_params(f"CA{name}{n:04d}"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        started = time.monotonic()
        connection.request(
            "POST",
            "/ivr/voice",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        text = connection.getresponse().read().decode()
        times.append(time.monotonic() - started)
        if BACKUP not in text:
            wrong.append(text)
        connection.close()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong, f"answers without the backup number: {wrong[:1]}"
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args()
    database_port, stopping = hanging_server()
    env = environment(f"postgresql://hotline@127.0.0.1:{database_port}/hotline")
    port = free_port()
    server = gunicorn(VOICE_APP, port, env, workers=args.workers, threads=args.threads)
    try:
        wait_for(port)
        warm_up(port)
        first = wave(port, args.callers, "first")
        time.sleep(1)
        second = wave(port, args.callers, "second")
    finally:
        stop(server)
        stopping.set()
    print(
        f"\nhanging database, gunicorn -w {args.workers} --threads {args.threads}, HOTLINE_IVR_DB_TIMEOUT=0.5, "
        f"{args.callers} callers at once; every answer dials the backup number"
    )
    for name, times in (("first wave", first), ("1 s later", second)):
        print(
            f"{name:<11} median {statistics.median(times):.2f} s, max {max(times):.2f} s "
            f"(target < {TARGET_SECONDS:.0f} s: {'met' if max(times) < TARGET_SECONDS else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
