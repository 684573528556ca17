"""The report's independent recounts from the consultations, which the tests compare the derived tables
with. One copy, bench/recount.py, shared with the benchmarks (bench does not import tests): read from
there, the repository's root appended to the path."""

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench.recount import consultation_records, fact_records, household_records, household_recount

__all__ = ["consultation_records", "fact_records", "household_recount", "household_records"]
