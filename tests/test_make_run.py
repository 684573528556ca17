"""`make run` serves on the next free port when the one asked for is taken: the Makefile's FREE_PORT
program, run as make runs it, against a port held by a listening socket."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

MAKEFILE = Path(__file__).resolve().parent.parent / "Makefile"


def free_port_program() -> str:
    return re.search(r"^define FREE_PORT\n(.*?)^endef", MAKEFILE.read_text(), re.S | re.M).group(1)


def first_free(start: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", free_port_program(), str(start)], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_a_taken_port_moves_run_to_the_next_free_one():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        assert first_free(taken) > taken
    with socket.socket() as probe:  # once released, the port asked for is the one served
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert first_free(free) == free


def test_the_run_target_serves_on_the_port_found_and_says_so():
    recipe = MAKEFILE.read_text().split("\nrun:")[1].split("\n\n")[0]
    assert 'python -c "$$FREE_PORT" $(PORT)' in recipe
    assert "hotline run --port $$port" in recipe and "Le port $(PORT) est déjà pris" in recipe
