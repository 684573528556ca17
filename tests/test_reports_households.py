"""The household indicators of docs/formats.md, recounted by hand from the tidy CSV export: each household
counts once, with its latest debt of the period, and a first contact is the household's first consultation
ever (formats.md, households_debt_known to reached_before_commandement)."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.core import clock
from hotline.extensions import db
from hotline.reference.services import territory_labels
from hotline.reports import pdf
from hotline.reports import services as reports

EVICTION = "prevention_expulsion"


def consult(household, day, territory, stage, debt=None, rent=None):
    consultation = consultations.record_consultation(
        {
            "date": day,
            "mission": EVICTION,
            "mode": "telephone",
            "territory_code": territory,
            "themes": ["impayes_expulsion"],
            "procedure_stage": stage,
            "debt_amount": Decimal(debt) if debt is not None else None,
        },
        None,
        household,
    )
    if household is not None and rent is not None:
        record_acts(household, consultation, {}, rent_amount=Decimal(rent))
    return consultation


def exported(first, last):
    rows = reports.report(first, last, [EVICTION], clock.now(), clock.local_zone())
    text = reports.to_csv(rows)
    table = {}
    for line in csv.DictReader(io.StringIO(text)):
        table[(line["period"], line["territory"], line["indicator"], line["category"])] = line["value"]
    return table


def scenario():
    h1 = consultations.create_household(name="Ménage un")
    h2 = consultations.create_household(name="Ménage deux")
    # H1 (Lens-Hénin): first seen in December, before the range; rent 500 said then.
    consult(h1, date(2025, 12, 10), "lens-henin", "impaye", "1000", rent="500")
    consult(h1, date(2026, 1, 15), "lens-henin", "commandement_payer", "1500")
    consult(h1, date(2026, 2, 20), "lens-henin", "assignation")  # no debt named
    # H2 (Boulonnais): first contact in February at the commandement de payer; rent 600.
    consult(h2, date(2026, 2, 3), "boulonnais", "commandement_payer", "4000", rent="600")
    consult(h2, date(2026, 2, 25), "boulonnais", "inconnu", "3000")
    # A consultation without household is a household of its own, reached at the unpaid rent.
    consult(None, date(2026, 3, 5), "lens-henin", "impaye", "200")
    db.session.commit()


def test_household_indicators_recounted_by_hand_from_the_csv(ctx):
    scenario()
    table = exported(date(2026, 1, 1), date(2026, 3, 1))
    total = {key[2:]: value for key, value in table.items() if key[:2] == ("total", "all")}
    # Latest debt of the range per household: H1 1500 (January), H2 3000 (25 February), the lone one 200.
    assert total[("households_debt_known", "")] == "3"
    assert total[("household_debt_sum", "")] == "4700.00"
    assert total[("household_debt_median", "")] == "1500.00"
    # Months of arrears: 1500/500 = 3 (up to 3 included); 3000/600 = 5; no rent known for the lone one.
    assert total[("debt_months", "jusqu_3_mois")] == "1"
    assert total[("debt_months", "de_3_a_6_mois")] == "1"
    assert total[("debt_months", "inconnu")] == "1"
    assert ("debt_months", "plus_de_6_mois") not in total  # 4000/600 was not H2's latest debt
    # Stage of the latest consultation whose stage is known: H1 assignation, H2 commandement_payer (its
    # latest says "inconnu"), the lone one impaye.
    assert total[("households_by_stage", "assignation")] == "1"
    assert total[("households_by_stage", "commandement_payer")] == "1"
    assert total[("households_by_stage", "impaye")] == "1"
    # First contacts ever: H1's was in December (outside), H2's and the lone one's are in the range.
    assert total[("first_contacts", "")] == "2"
    assert total[("first_contact_stage", "commandement_payer")] == "1"
    assert total[("first_contact_stage", "impaye")] == "1"
    assert total[("reached_before_commandement", "")] == "1"
    # Per territory and month: each household in the month and territory of its latest consultation.
    assert table[("total", "lens-henin", "households_debt_known", "")] == "2"
    assert table[("total", "boulonnais", "households_debt_known", "")] == "1"
    assert table[("2026-02", "all", "households_debt_known", "")] == "1"  # H1 named no debt in February
    assert table[("2026-02", "all", "household_debt_sum", "")] == "3000.00"
    assert table[("2026-01", "lens-henin", "household_debt_sum", "")] == "1500.00"
    assert table[("2026-03", "lens-henin", "reached_before_commandement", "")] == "1"
    # The debt summed per consultation would have said 1500 + 4000 + 3000 + 200 = 8700.
    assert table[("total", "all", "debt_amount_sum", "")] == "8700.00"


def test_the_bilan_shows_the_household_figures_in_french(ctx):
    from pypdf import PdfReader

    scenario()
    rows = reports.report(date(2026, 1, 1), date(2026, 3, 1), [EVICTION], clock.now(), clock.local_zone())
    document = pdf.build(
        rows, date(2026, 1, 1), date(2026, 3, 1), [EVICTION], territory_labels(), datetime(2026, 4, 1, tzinfo=UTC)
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    text = " ".join(text.split())
    assert "Ménages suivis (chaque ménage compté une fois)" in text
    assert "Dette médiane par ménage 1 500,00 €" in text
    assert "Stade de la procédure au premier contact" in text
    assert "Premiers contacts avant le commandement de payer" in text
    assert "Pas-de-Calais (tous territoires) 1 sur 2 (50 %)" in text
    assert "Lens-Hénin 1 sur 1 (100 %)" in text and "Boulonnais 0 sur 1 (0 %)" in text
    assert "Mois 03/2026 1 sur 1 (100 %)" in text
