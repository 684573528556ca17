"""The client's vocabularies and the communes -> territories table, shipped as data in data/.

The vocabularies (taxonomy.yaml) are read-only code lists. Territories, EPCIs and communes are
loaded into the database by `db upgrade`, where an administrator may move them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

# Buckets that every report shows beside the eight territories, so that totals add up.
HORS_DEPARTEMENT = "hors_departement"
NON_RENSEIGNE = "non_renseigne"
BUCKETS = {HORS_DEPARTEMENT: "Hors département", NON_RENSEIGNE: "Non renseigné"}


@lru_cache(maxsize=1)
def taxonomy() -> dict:
    with open(DATA_DIR / "taxonomy.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    # YAML reads unquoted codes such as 75_plus as text, but keep every key a string regardless.
    return {name: {str(k): v for k, v in values.items()} for name, values in data.items()}


def labels(vocabulary: str) -> dict[str, str]:
    """code -> French label for a flat vocabulary."""
    if vocabulary == "themes":
        return {code: item["label"] for code, item in taxonomy()["themes"].items()}
    return dict(taxonomy()[vocabulary])


def label(vocabulary: str, code: str | None) -> str:
    if code is None or code == "":
        return ""
    return labels(vocabulary).get(code, code)


def theme_codes() -> dict[str, str]:
    """Every accepted theme code, 'theme' or 'theme/subtheme', -> its French label."""
    codes: dict[str, str] = {}
    for code, item in taxonomy()["themes"].items():
        codes[code] = item["label"]
        for sub, sub_label in (item.get("subthemes") or {}).items():
            codes[f"{code}/{sub}"] = f"{item['label']} — {sub_label}"
    return codes


@lru_cache(maxsize=1)
def territories_file() -> dict:
    with open(DATA_DIR / "territories.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class CommuneRow:
    insee: str
    name: str
    postal_codes: tuple[str, ...]
    epci_siren: str
    epci_name: str
    territory: str
    population: int


@lru_cache(maxsize=1)
def communes_file() -> tuple[CommuneRow, ...]:
    with open(DATA_DIR / "communes-62.csv", encoding="utf-8", newline="") as fh:
        return tuple(
            CommuneRow(
                insee=row["insee"],
                name=row["name"],
                # Usually '|'-separated; one row of the source separates with a space.
                postal_codes=tuple(filter(None, re.split(r"[|\s;,]+", row["postal_codes"]))),
                epci_siren=row["epci_siren"],
                epci_name=row["epci_name"],
                territory=row["territory"],
                population=int(row["population"] or 0),
            )
            for row in csv.DictReader(fh)
        )
