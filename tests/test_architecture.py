"""The arrows between the rooms (README, "Architecture"): `lint-imports` checks the contracts of
pyproject.toml; these tests check that the contracts carry no exception beyond the two that are not
debts (the command line reaches create_app; extensions.py binds core's base model)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_DEBTS = {
    "hotline.cli -> hotline",
    "hotline.ivr.commands -> hotline",
    "hotline.extensions -> hotline.core.ids",
    "hotline.extensions -> hotline.core.models_base",
}


def contracts() -> list[dict]:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]["contracts"]


def test_no_contract_lets_an_arrow_run_the_wrong_way():
    ignored = {(contract["name"], line) for contract in contracts() for line in contract.get("ignore_imports", [])}
    assert {line for _, line in ignored} <= NOT_DEBTS, sorted(ignored)
