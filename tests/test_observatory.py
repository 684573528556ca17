"""The pseudonymised export for the observatory: codes only, month not day, household as a keyed hash."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from hotline.reports import observatory


def export(key="cle-observatoire", first=date(2026, 1, 1), end=date(2027, 1, 1)):
    text = "".join(observatory.csv_chunks(observatory.rows(key, first, end, ["info_logement", "prevention_expulsion"])))
    return list(csv.DictReader(io.StringIO(text)))


def test_no_personal_data_and_one_pseudonym_per_household(ctx, make_household, make_consultation):
    household = make_household(name="Dupont Jeanne", phone="+33612345678", external_ref="DOSSIER-42")
    make_consultation(
        household=household,
        date=date(2026, 3, 2),
        notes="Madame Dupont, 3 rue des Lilas",
        mission="prevention_expulsion",
        procedure_stage="assignation",
        debt_amount=Decimal("1234.56"),
        themes=["impayes_expulsion/impaye_locataire"],
    )
    make_consultation(household=household, date=date(2026, 4, 17))
    make_consultation(date=date(2026, 4, 18))  # no household: a household of its own
    lines = export()
    assert len(lines) == 3
    assert list(lines[0]) == list(observatory.COLUMNS)
    flat = repr(lines)
    for secret in ("Dupont", "612345678", "Lilas", "DOSSIER-42", "2026-03-02", "62498"):
        assert secret not in flat
    first, second, alone = lines
    assert first["household"] == second["household"] != alone["household"]
    assert len(first["household"]) == 16
    assert (first["month"], first["territory"], first["procedure_stage"]) == ("2026-03", "lens-henin", "assignation")
    assert first["debt_amount_rounded"] == "1230" and second["debt_amount_rounded"] == ""
    assert first["themes"] == "impayes_expulsion" and first["subthemes"] == "impayes_expulsion/impaye_locataire"


def test_the_pseudonym_depends_on_the_key(ctx, make_household, make_consultation):
    household = make_household(name="Martin")
    make_consultation(household=household)
    assert export("cle-a")[0]["household"] != export("cle-b")[0]["household"]
    assert export("cle-a")[0]["household"] == export("cle-a")[0]["household"]


def test_batches_cover_every_consultation_once(ctx, make_consultation, monkeypatch):
    monkeypatch.setattr(observatory, "BATCH", 2)
    for day in (1, 1, 1, 2, 3):
        make_consultation(date=date(2026, 5, day))
    assert len(export()) == 5


def test_without_a_key_nothing_is_exported(ctx):
    with pytest.raises(observatory.ObservatoryKeyMissing, match="HOTLINE_OBSERVATORY_KEY"):
        export(key="")


def test_the_command_writes_the_file_and_refuses_without_a_key(app, runner, tmp_path, make_consultation):
    make_consultation(date=date(2026, 3, 2))
    out = tmp_path / "observatoire.csv"
    app.config["OBSERVATORY_KEY"] = None
    refused = runner.invoke(
        args=["reports", "observatory", "--from", "2026-01", "--to", "2026-12", "--output", str(out)]
    )
    assert refused.exit_code != 0 and "HOTLINE_OBSERVATORY_KEY" in refused.output
    assert not out.exists()
    app.config["OBSERVATORY_KEY"] = "cle-de-test"
    done = runner.invoke(args=["reports", "observatory", "--from", "2026-03", "--to", "2026-03", "--output", str(out)])
    assert done.exit_code == 0, done.output
    lines = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [line["month"] for line in lines] == ["2026-03"]
