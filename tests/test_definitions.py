"""The bilan's annex of definitions: every indicator of the tidy export, and every one docs/formats.md names, is
defined in French (reports/definitions.py)."""

import re
from pathlib import Path

from hotline.reports import definitions, labels, tidy

FORMATS = Path(__file__).parent.parent / "docs" / "formats.md"


def formats_indicators() -> set[str]:
    """The indicator codes of formats.md's table of the tidy report (first column, codes separated by commas)."""
    text = FORMATS.read_text(encoding="utf-8")
    table = text[text.index("| indicator | category | value |") :]
    codes = set()
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        codes |= {code.strip() for code in line.split("|")[1].split(",")}
    return codes


def test_every_indicator_of_the_export_and_of_the_contract_has_a_definition():
    codes = set(tidy.INDICATOR_ORDER) | set(labels.INDICATORS) | formats_indicators()
    assert {"household_result", "calls_abandoned", "first_contacts_situated"} <= formats_indicators()
    missing = sorted(code for code in codes if not definitions.definition(code))
    assert missing == []
    assert set(definitions.DEFINITIONS) <= codes, "no definition of an indicator that does not exist"


def test_definitions_are_french_sentences_without_codes():
    for code, text in definitions.DEFINITIONS.items():
        assert text[0].isupper() and text.endswith("."), code
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (code, text)  # no code such as calls_received


def test_which_way_is_better():
    assert definitions.better("calls_missed") == -1 and definitions.better("callbacks_done") == 1
    assert definitions.better("consultations") == 0
