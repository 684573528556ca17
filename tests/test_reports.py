"""The tidy report of formats.md: every indicator from plain records, then from the database, read
back as CSV and XLSX, on the managers' page and from the command line."""

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hotline.extensions import db
from hotline.reports import services, tidy, workbook

PARIS = ZoneInfo("Europe/Paris")


def record(
    month="2026-03",
    territory="lens-henin",
    household="h1",
    mode="telephone",
    mission="prevention_expulsion",
    debt=None,
    themes=(),
    outcomes=(),
    stage=None,
    **flags,
):
    codes = {name: "inconnu" for name in tidy.SINGLE_CODES} | {
        "mode": mode,
        "consultant_type": "particulier",
        "procedure_stage": stage,
    }
    return tidy.ConsultationRecord(
        mission,
        month,
        territory,
        household,
        codes,
        {"theme": frozenset(themes), "outcome": frozenset(outcomes)},
        Decimal(debt) if debt is not None else None,
        **flags,
    )


# --- pure ----------------------------------------------------------------------------------------------


def test_counts_households_amounts_and_codes():
    rows = tidy.build(
        [
            record(
                household="h1",
                debt="1000.10",
                themes=["impayes_expulsion", "rapports_locatifs"],
                outcomes=["saisine_fsl"],
                stage="assignation",
            ),
            record(household="h1", mode="permanence", debt="3000", themes=["impayes_expulsion"], habitat_indigne=True),
            record(household="c7", month="2026-04", territory="boulonnais", debt="2000.00", permis_louer=True),
            record(household="c8", month="2026-04", territory="boulonnais", mode="visite_siege"),
            record(household="h2", mission="info_logement", mode="aller_vers"),
        ]
    )

    def value(indicator, category="", period="total", territory="all", mission="prevention_expulsion"):
        return tidy.value_of(rows, mission, period, territory, indicator, category)

    assert value("consultations") == 4 and value("consultations", period="2026-03", territory="lens-henin") == 2
    assert value("households") == 3  # h1 twice counts once; each consultation without household is its own
    assert value("households_received") == 2  # h1 (permanence) and c8 (office)
    assert value("households_received", period="2026-03", territory="lens-henin") == 1
    assert value("theme", "impayes_expulsion") == 2 and value("theme", "rapports_locatifs") == 1
    assert value("outcome", "saisine_fsl") == 1 and value("procedure_stage", "assignation") == 1
    assert value("mode", "telephone") == 2 and value("consultant_type", "particulier") == 4
    assert value("debt_known") == 3
    assert value("debt_amount_sum") == Decimal("6000.10")
    assert value("debt_amount_median") == Decimal("2000.00")
    assert value("debt_amount_median", period="2026-03", territory="lens-henin") == Decimal("2000.05")  # mean of 2
    assert value("habitat_indigne") == 1 and value("permis_louer", territory="boulonnais") == 1
    assert value("consultations", mission="info_logement") == 1
    assert value("households_received", mission="info_logement") == 1
    assert all(row.value for row in rows), "rows of value 0 are left out"
    assert [
        r.as_list() for r in rows if r.indicator == "debt_amount_sum" and r.period == "total" and r.territory == "all"
    ] == [["prevention_expulsion", "total", "all", "debt_amount_sum", "", "6000.10"]]


def test_calls_callbacks_and_permanences():
    calls = [
        tidy.CallRecord("prevention_expulsion", "2026-03", "boulonnais", outcome)
        for outcome in ("answered", "answered", "missed", "voicemail", "closed", "callback_requested", "abandoned")
    ]
    done = [tidy.CallRecord("prevention_expulsion", "2026-04", "boulonnais", "done")]
    rows = tidy.build([], calls, done, {("info_logement", "2026-03", "lens-henin"): 4})
    assert tidy.value_of(rows, "prevention_expulsion", "total", "all", "calls_received") == 7
    assert tidy.value_of(rows, "prevention_expulsion", "2026-03", "boulonnais", "calls_answered") == 2
    assert tidy.value_of(rows, "prevention_expulsion", "total", "all", "calls_missed") == 4  # abandoned is not
    assert tidy.value_of(rows, "prevention_expulsion", "2026-04", "all", "callbacks_done") == 1
    assert tidy.value_of(rows, "info_logement", "total", "lens-henin", "permanences_held") == 4


# --- from the database ---------------------------------------------------------------------------------------


@pytest.fixture
def activity(app, make_consultation, make_household, make_user):
    """March and April 2026: three eviction consultations (two for one household), one info; calls; a
    callback done; a weekly permanence in Lens."""
    from hotline.ivr.models import Call, CallbackTask
    from hotline.permanences import services as permanences

    family = make_household(name="Famille Durand")
    make_consultation(
        date=date(2026, 3, 2),
        mission="prevention_expulsion",
        household=family,
        debt_amount=Decimal("1200.00"),
        procedure_stage="assignation",
        themes=["impayes_expulsion"],
        outcomes=["saisine_fsl"],
    )
    make_consultation(
        date=date(2026, 4, 7),
        mission="prevention_expulsion",
        household=family,
        mode="permanence",
        debt_amount=Decimal("1500.50"),
        themes=["impayes_expulsion/commandement_payer"],
    )
    make_consultation(
        date=date(2026, 4, 9), mission="prevention_expulsion", commune_insee="62160", territory_code="boulonnais"
    )
    make_consultation(date=date(2026, 5, 4), mission="info_logement")  # outside the range
    jurist = make_user("jurist")
    with app.app_context():
        answered = Call(
            call_sid="CA1",
            started_at=datetime(2026, 3, 31, 23, 30, tzinfo=PARIS),
            path="accueil",
            mission="prevention_expulsion",
            territory_code="boulonnais",
            outcome="answered",
        )
        missed = Call(
            call_sid="CA2",
            started_at=datetime(2026, 4, 1, 9, 0, tzinfo=PARIS),
            path="accueil",
            mission="prevention_expulsion",
            territory_code=None,
            outcome="missed",
        )
        db.session.add_all([answered, missed])
        db.session.flush()
        db.session.add(
            CallbackTask(
                call_id=missed.id, kind="missed", status="done", done_at=datetime(2026, 4, 2, 10, tzinfo=PARIS)
            )
        )
        permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="Place Jean Jaurès",
            mission="prevention_expulsion",
            user_id=jurist.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 3, 1),
            last_day=date(2026, 4, 30),
            active=True,
        )
        db.session.commit()


def test_report_from_the_database(app, activity):
    with app.app_context():
        rows = services.report(
            date(2026, 3, 1),
            date(2026, 4, 1),
            ["prevention_expulsion", "info_logement"],
            datetime(2026, 6, 1, tzinfo=PARIS),
            PARIS,
        )

    def value(indicator, category="", period="total", territory="all", mission="prevention_expulsion"):
        return tidy.value_of(rows, mission, period, territory, indicator, category)

    assert value("consultations") == 3 and value("consultations", mission="info_logement") == 0
    assert value("households") == 2 and value("households_received") == 1
    assert value("consultations", period="2026-04", territory="boulonnais") == 1
    assert value("theme", "impayes_expulsion") == 2
    assert value("debt_amount_sum") == Decimal("2700.50") and value("debt_amount_median") == Decimal("1350.25")
    # Calls by their local month: 23:30 on 31 March is March in Paris (April in UTC).
    assert value("calls_answered", period="2026-03", territory="boulonnais") == 1
    assert value("calls_missed", period="2026-04", territory="non_renseigne") == 1
    assert value("callbacks_done", period="2026-04") == 1
    # Tuesdays of March and April 2026, but Easter Monday is not a Tuesday: 5 + 4.
    assert value("permanences_held", period="2026-03", territory="lens-henin") == 5
    assert value("permanences_held") == 9


def test_csv_and_xlsx_read_back_the_same_rows(app, activity):
    with app.app_context():
        rows = services.report(
            date(2026, 3, 1), date(2026, 4, 1), ["prevention_expulsion"], datetime(2026, 6, 1, tzinfo=PARIS), PARIS
        )
    table = list(csv.reader(io.StringIO(services.to_csv(rows))))
    assert table[0] == ["mission", "period", "territory", "indicator", "category", "value"]
    assert ["prevention_expulsion", "total", "all", "debt_amount_sum", "", "2700.50"] in table
    assert ["prevention_expulsion", "2026-03", "lens-henin", "consultations", "", "1"] in table
    sheet = load_workbook(io.BytesIO(workbook.to_xlsx(rows)))["rapport"]
    read = [[("" if v is None else v) for v in line] for line in sheet.iter_rows(values_only=True)]
    assert read[0] == list(tidy.COLUMNS) and len(read) == len(table)
    assert ["prevention_expulsion", "total", "all", "debt_amount_sum", "", 2700.5] in read
    assert ["prevention_expulsion", "2026-03", "lens-henin", "consultations", "", 1] in read


def test_managers_page_and_downloads(app, client, make_user, login, activity):
    login(make_user("manager"))
    page = client.get("/reports/?from=2026-03&to=2026-04&mission=prevention_expulsion").get_data(as_text=True)
    assert "Consultations par territoire et par mois" in page and "03/2026" in page and "04/2026" in page
    assert "Prévention des expulsions" in page
    bad = client.get("/reports/?from=2026-13&to=2026-04")
    assert bad.status_code == 200 and "« 2026-13 » n&#39;est pas un mois (AAAA-MM)." in bad.get_data(as_text=True)
    csv_file = client.get("/reports/export.csv?from=2026-03&to=2026-04&mission=prevention_expulsion")
    assert csv_file.mimetype == "text/csv"
    assert "prevention_expulsion,total,all,consultations,,3" in csv_file.get_data(as_text=True)
    xlsx = client.get("/reports/export.xlsx?from=2026-03&to=2026-04")
    assert load_workbook(io.BytesIO(xlsx.data))["rapport"].max_row > 10
    assert client.get("/reports/export.csv?from=2026-04&to=2026-03").status_code == 400
    from hotline.core.audit import AuditEvent

    with app.app_context():
        reads = list(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "report.read")))
        assert "2026-03..2026-04:prevention_expulsion" in reads


def test_only_managers_see_reports(client, make_user, login):
    login(make_user("jurist"))
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/export.csv").status_code == 403


def test_export_command(app, runner, activity, tmp_path):
    app.config["FIXED_NOW"] = "2026-06-01T10:00"
    out = tmp_path / "rapport.csv"
    result = runner.invoke(args=["reports", "export", "--from", "2026-03", "--to", "2026-04", "--output", str(out)])
    assert result.exit_code == 0, result.output
    table = list(csv.reader(out.open(encoding="utf-8")))
    assert ["prevention_expulsion", "total", "all", "permanences_held", "", "9"] in table
    wrong = runner.invoke(args=["reports", "export", "--from", "mars", "--to", "2026-04"])
    assert wrong.exit_code == 2 and "n'est pas un mois" in wrong.output


def test_activities_recorded_by_jurists_count_in_the_report(app, client, make_user, login):
    from conftest import csrf_token

    from hotline.activities.models import Activity

    app.config["FIXED_NOW"] = "2026-06-01T10:00"
    login(make_user("jurist", missions=("prevention_expulsion",)))
    data = {
        "csrf_token": csrf_token(client, "/activities/"),
        "date": "2026-07-01",
        "mission": "prevention_expulsion",
        "activity_type": "ccapex",
        "territory": "lens-henin",
        "title": "CCAPEX de l'arrondissement de Lens",
    }
    page = client.post("/activities/", data=data).get_data(as_text=True)
    assert (
        "La date ne peut pas être dans le futur." in page and 'value="CCAPEX de l&#39;arrondissement de Lens"' in page
    )
    for day in ("2026-03-05", "2026-03-19"):
        response = client.post("/activities/", data=data | {"date": day})
        assert response.status_code == 302
    client.post("/activities/", data=data | {"date": "2026-04-02", "activity_type": "article", "territory": "all"})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Activity)) == 2  # "all" is no territory
        rows = services.report(
            date(2026, 3, 1), date(2026, 4, 1), ["prevention_expulsion"], datetime(2026, 6, 1, tzinfo=PARIS), PARIS
        )
    assert tidy.value_of(rows, "prevention_expulsion", "2026-03", "lens-henin", "activities", "ccapex") == 2
    assert tidy.value_of(rows, "prevention_expulsion", "total", "all", "activities", "ccapex") == 2
    assert "CCAPEX de l&#39;arrondissement de Lens" in client.get("/activities/").get_data(as_text=True)


def test_admins_do_not_see_activities(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/activities/").status_code == 403


def test_the_activity_report_pdf_reads_back(app, client, make_user, login, activity, runner, tmp_path):
    from pypdf import PdfReader

    app.config["FIXED_NOW"] = "2026-06-01T10:00"
    login(make_user("manager"))
    response = client.get("/reports/export.pdf?from=2026-03&to=2026-04&mission=prevention_expulsion")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = " ".join(page.extract_text() for page in pages).replace("\xa0", " ").replace("\u202f", " ")
    assert "Bilan d'activité" in text and "Période : mars 2026 à avril 2026" in text
    assert "Prévention des expulsions" in text and "Consultations 3" in text
    # One debt total, the household's (its latest debt, 1 500,50 €), not the consultations' 2 700,50 €.
    assert "Montant total des dettes" not in text and "2 700,50" not in text
    assert "Dette totale des ménages" in text and "1 500,50 €" in text
    assert "Lens-Hénin 2 67 %" in text and "Boulonnais 1 33 %" in text
    assert "Assignation" in text and "Orientation vers le FSL 1 33 %" in text and "Permanences tenues 9" in text
    out = tmp_path / "bilan.pdf"
    result = runner.invoke(
        args=["reports", "export", "--from", "2026-03", "--to", "2026-04", "--format", "pdf", "--output", str(out)]
    )
    assert result.exit_code == 0 and len(PdfReader(out).pages) >= 1
