"""The managers' pages: the bilan with its charts and tables, month inputs, the qualitative analysis they write
(CSRF, French messages, every version kept, shown in the PDF and the XLSX), a page per territory."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from conftest import csrf_token
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import delete, select

from hotline.core.audit import AuditEvent
from hotline.extensions import db
from hotline.reports.notes import MAX_LENGTH, ReportNote

EVICTION = "prevention_expulsion"
RANGE = "from=2026-03&to=2026-04&mission=prevention_expulsion"


@pytest.fixture(autouse=True)
def no_notes_left(app):
    yield
    with app.app_context():  # the conftest does not know this table yet
        db.session.execute(delete(ReportNote))
        db.session.commit()


@pytest.fixture
def manager(client, make_user, login, make_consultation):
    make_consultation(
        date=date(2026, 3, 2),
        mission=EVICTION,
        debt_amount=Decimal("1200.00"),
        procedure_stage="impaye",
        themes=["impayes_expulsion"],
    )
    make_consultation(date=date(2026, 4, 9), mission=EVICTION, commune_insee="62160", territory_code="boulonnais")
    make_consultation(date=date(2025, 3, 9), mission=EVICTION, commune_insee="62160", territory_code="boulonnais")
    user = make_user("manager", name="Martine Responsable")
    login(user)
    return user


def notes(app):
    with app.app_context():
        return [
            (n.mission, n.first_month, n.last_month, n.text, n.author_id)
            for n in db.session.scalars(select(ReportNote).order_by(ReportNote.id))
        ]


def post_note(client, text, token=None, query=RANGE, mission=EVICTION):
    token = token if token is not None else csrf_token(client, f"/reports/?{query}")
    return client.post(
        f"/reports/notes?{query}&note={mission}", data={f"{mission}-text": text, f"{mission}-csrf_token": token}
    )


def test_the_page_shows_charts_tables_and_month_inputs(client, manager):
    page = client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert re.search(r'<input id="from" name="from" type="month" value="2026-03"', page)
    assert re.search(r'<input id="to" name="to" type="month" value="2026-04"', page)
    images = re.findall(r'<img class="chart" src="/reports/charts/[^"]+\.svg" alt="([^"]+)"', page)
    assert "Consultations par territoire. Arrageois : 0 ; Artois : 0" in images[0]
    assert any(alt.startswith("Évolution mensuelle des consultations") for alt in images)
    for caption in (
        "Chiffres clés",
        "Consultations par territoire",
        "Permanences tenues et appels par territoire",
        "Consultations par territoire et par mois",
        "Consultations : comparaison avec les mêmes mois de l&#39;année précédente",
        "Premiers contacts avant le commandement de payer",
    ):
        assert f"<caption>{caption}" in page
    assert '<th scope="col">Un an plus tôt</th>' in page
    assert "prevention_amont" not in page and ">impaye<" not in page


def test_a_manager_writes_the_analysis_kept_with_its_history_and_shown_in_the_pdf(app, client, manager):
    response = post_note(client, "Première version.")
    assert response.status_code == 302 and response.location.endswith("#analyse-prevention_expulsion")
    post_note(client, "Hausse des impayés = à suivre.\r\nDeuxième ligne.")
    saved = notes(app)
    assert [n[3] for n in saved] == ["Première version.", "Hausse des impayés = à suivre.\nDeuxième ligne."]
    assert all(n[:3] == (EVICTION, date(2026, 3, 1), date(2026, 4, 1)) and n[4] == manager.id for n in saved)
    page = client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert "Versions enregistrées (2)" in page and "Martine Responsable" in page
    assert "Hausse des impayés = à suivre.\nDeuxième ligne.</textarea>" in page
    pdf = client.get(f"/reports/export.pdf?{RANGE}").data
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Analyse qualitative Hausse des impayés = à suivre. Deuxième ligne." in text
    assert "Première version." not in text
    # another range has its own analysis
    other = client.get("/reports/export.pdf?from=2026-03&to=2026-05&mission=prevention_expulsion").data
    assert "Hausse des impayés" not in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(other)).pages)
    book = load_workbook(io.BytesIO(client.get(f"/reports/export.xlsx?{RANGE}").data))
    assert [c for c in book["Analyse qualitative"]["A"] if c.value][1].value.startswith("Hausse des impayés")
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "report.note")))
    assert actions == ["report.note", "report.note"]


def test_bad_input_is_refused_in_french_keeping_the_text(app, client, manager):
    too_long = "x" * (MAX_LENGTH + 1)
    response = post_note(client, too_long)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and f"{MAX_LENGTH} caractères au plus." in page
    assert too_long in page and notes(app) == []
    response = post_note(client, "Texte.", token="forged")
    assert response.status_code == 400 and notes(app) == []
    response = post_note(client, "Texte.", query="from=2026-04&to=2026-03")
    assert response.status_code == 400 and "Le dernier mois doit suivre le premier." in response.get_data(as_text=True)
    assert "Texte.</textarea>" in response.get_data(as_text=True) and notes(app) == []
    assert post_note(client, "Texte.", mission="inconnue").status_code == 400 and notes(app) == []


def test_only_managers_write_or_read_the_bilan(app, client, make_user, login):
    login(make_user("jurist"))
    assert client.get(f"/reports/?{RANGE}").status_code == 403
    assert client.post(f"/reports/notes?{RANGE}&note={EVICTION}", data={}).status_code in (400, 403)
    assert client.get(f"/reports/territory/boulonnais?{RANGE}").status_code == 403
    assert notes(app) == []


def test_a_page_per_territory(app, client, manager):
    response = client.get(f"/reports/territory/boulonnais?{RANGE}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Rapports — Boulonnais</h1>" in page
    assert re.search(
        r"<th scope=\"row\">Consultations</th><td class=\"number\">1</td><td class=\"number\">non disponible</td>"
        r"<td class=\"number\">non disponible</td>",
        page,
    )  # one this year; the year before's data begins in 03/2025 and covers 03-04/2025 in part: not compared
    assert "Consultations par territoire et par mois" not in page and "Analyse qualitative" not in page
    with app.app_context():  # the read is audited (and fits the audit's columns on PostgreSQL)
        assert ("report.territory:boulonnais", "2026-03..2026-04:prevention_expulsion") in db.session.execute(
            select(AuditEvent.object_type, AuditEvent.object_id).where(AuditEvent.action == "report.read")
        ).all()
    assert client.get(f"/reports/territory/atlantide?{RANGE}").status_code == 404
    bad = client.get("/reports/territory/boulonnais?from=2026-13&to=2026-04")
    assert bad.status_code == 200 and "n&#39;est pas un mois (AAAA-MM)." in bad.get_data(as_text=True)
    index = client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert f'href="/reports/territory/boulonnais?{RANGE.replace("&", "&amp;")}"' in index


def test_the_page_says_not_available_for_a_month_the_year_before_does_not_cover(client, manager):
    """The data begins in 03/2025: 04/2025 holds nothing, so April reads "non disponible", not 0 and "+1"."""
    page = client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    table = page[page.index("<caption>Consultations : comparaison") :]
    table = re.sub(r"\s+", " ", table[: table.index("</table>")])
    assert '<th scope="row">03/2026</th><td class="number">1</td><td class="number">1</td>' in table
    assert (
        '<th scope="row">04/2026</th><td class="number">1</td><td class="number">non disponible</td>'
        '<td class="number">non disponible</td>' in table
    )
