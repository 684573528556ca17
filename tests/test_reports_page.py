"""The managers' page reads the rollup, not the report (issue 9): the figures it shows are the tidy export's
(recounted with tidy.build and the household indicators from every consultation), it reads no consultation
outside the range of the households it shows, its charts are drawn once per numbers, and the cross table of
family situation x housing sector is produced (tidy, rollup, CSV, page)."""

import csv
import io
import random
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest import PASSWORD, csrf_token
from recount import consultation_records, household_records, household_recount
from sqlalchemy import event

from hotline.cases import figures
from hotline.cases import services as cases
from hotline.consultations.models import Consultation
from hotline.core import charts
from hotline.extensions import db
from hotline.reference.services import territory_labels
from hotline.reports import bilan, rollup, services, tidy

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 6, 1, 10, tzinfo=PARIS)
MISSIONS = ["info_logement", "prevention_expulsion"]
EVICTION = "prevention_expulsion"
FIRST, LAST = date(2026, 2, 1), date(2026, 4, 1)
PLACES = [("62498", "lens-henin"), ("62160", "boulonnais"), (None, "non_renseigne")]
STAGES = [None, "impaye", "commandement_payer", "assignation", "inconnu", "prevention_amont"]
FAMILIES = ["personne_seule", "couple_avec_enfants", "famille_monoparentale", "inconnu"]
SECTORS = ["prive", "social", "inconnu"]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def generated(app, make_consultation, make_household):
    """Sixty consultations from 2025-11 to 2026-05 (so before, in and after the range), two missions, three
    territories, twelve households and consultations without one, stages, debts, rents, family situations."""
    rng = random.Random(9)
    households = [make_household(name=f"Ménage {i}") for i in range(12)]
    for _ in range(60):
        mission = rng.choice(MISSIONS)
        insee, territory = rng.choice(PLACES)
        fields = {
            "date": date(2026, rng.randint(1, 5), rng.randint(1, 28))
            if rng.random() < 0.8
            else date(2025, rng.randint(11, 12), rng.randint(1, 28)),
            "mission": mission,
            "commune_insee": insee,
            "territory_code": territory,
            "mode": rng.choice(["telephone", "permanence", "visite_siege", "courriel"]),
            "family_situation": rng.choice(FAMILIES),
            "housing_sector": rng.choice(SECTORS),
        }
        if mission == EVICTION:
            fields.update(
                procedure_stage=rng.choice(STAGES),
                themes=["impayes_expulsion"],
                debt_amount=Decimal(rng.randrange(1000, 900000)) / 100 if rng.random() < 0.6 else None,
            )
        household = rng.choice(households) if rng.random() < 0.7 else None
        made = make_consultation(household=household, **fields)
        if mission == EVICTION and household is not None and rng.random() < 0.4:
            with app.app_context():
                cases.record_acts(
                    db.session.merge(household),
                    db.session.get(Consultation, made.id),
                    {},
                    rent_amount=Decimal(rng.choice([300, 450, 620])),
                    landlord_type="bailleur_social",
                )
                db.session.commit()


def recounted(first: date, last: date) -> list[tidy.Row]:
    """The tidy export recounted from every consultation: tidy.build over their records, the household
    indicators over every consultation up to the end of the range, and the calls, permanences and activities."""
    end = last.replace(year=last.year + last.month // 12, month=last.month % 12 + 1)
    return tidy.merged(
        tidy.build(consultation_records(first, end, MISSIONS)),
        [*services.other_rows(first, last, MISSIONS, NOW, PARIS), *household_recount(first, last, MISSIONS)],
    )


@pytest.mark.parametrize("territory", [tidy.ALL, "lens-henin", "boulonnais"])
def test_the_page_shows_the_figures_of_the_tidy_export(app, generated, territory):
    with app.app_context():
        exported = recounted(FIRST, LAST)
        before = recounted(*bilan.year_before(FIRST, LAST))
        shown = services.page(FIRST, LAST, MISSIONS, NOW, PARIS, territory)
        shown_before = services.page(*bilan.year_before(FIRST, LAST), MISSIONS, NOW, PARIS, territory)
        names = territory_labels()
    # Every figure the page reads is the export's, value for value...
    assert set(shown) <= set(exported) and set(shown_before) <= set(before)
    assert {row.indicator for row in shown} >= {
        "consultations",
        "households",
        "household_debt_median",
        "first_contacts",
        "households_by_stage",
        "family_situation_by_sector",
    }
    # The median per consultation is the export's only: the bilan shows the households' (read, it cost 0.4 s at 1M).
    assert "debt_amount_median" not in {row.indicator for row in shown} and any(
        row.indicator == "debt_amount_median" for row in exported
    )
    # ...and the bilan it shows (every table and chart) is the one the export's rows give.
    assert bilan.assemble(shown, FIRST, LAST, MISSIONS, names, shown_before, {}, territory) == bilan.assemble(
        exported, FIRST, LAST, MISSIONS, names, before, {}, territory
    )


def test_household_records_of_a_range_give_the_same_household_figures(app, generated):
    """Only the households seen in the range, with their history: the same figures as every consultation."""
    with app.app_context():
        for first, last in ((FIRST, LAST), (date(2026, 4, 1), date(2026, 5, 1)), (date(2026, 1, 1), date(2026, 1, 1))):
            end = last.replace(month=last.month + 1)
            months = [f"{m:%Y-%m}" for m in services.months(first, last)]
            every = household_records(end, MISSIONS)
            some = household_records(end, MISSIONS, first)
            assert len(some) < len(every)
            assert figures.build(some, months) == figures.build(every, months)


def consultation_reads(app, client, url: str) -> list[str]:
    """The SQL statements a page view runs that read the consultations table."""
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if re.search(r"\bconsultations\b", statement) and statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements


def test_the_page_reads_no_consultation(app, client, make_user, login, generated):
    """Every figure of the page comes from the rollups: the consultations themselves are not read."""
    login(make_user("manager"))
    for url in ("/reports/?from=2026-02&to=2026-04", "/reports/territory/lens-henin?from=2026-02&to=2026-04"):
        page = client.get(url).get_data(as_text=True)
        assert "Ménages" in page or "ménages" in page
        assert consultation_reads(app, client, url) == []


CHART = re.compile(r'<img class="chart" src="(/reports/charts/[^"]+\.svg)" alt="([^"]+)"')


def chart_svg(client, page: str, title: str) -> ET.Element:
    """The chart of a page whose title starts so, as the browser gets it after the page."""
    for src, alt in CHART.findall(page):
        if alt.startswith(title):
            response = client.get(src)
            assert response.status_code == 200 and response.mimetype == "image/svg+xml"
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]
            return ET.fromstring(response.data)
    raise AssertionError(f"no chart {title}")


def test_charts_are_drawn_after_the_page_once_per_numbers_and_follow_a_new_consultation(
    app, client, make_user, login, make_consultation
):
    make_consultation(date=date(2026, 3, 2), mission=EVICTION, commune_insee="62160", territory_code="boulonnais")
    login(make_user("manager"))
    url = "/reports/?from=2026-03&to=2026-04&mission=prevention_expulsion"
    charts._drawn.cache_clear()
    first = client.get(url).get_data(as_text=True)
    assert charts._drawn.cache_info().misses == 0, "the page itself draws nothing"
    before = chart_svg(client, first, "Consultations par territoire")
    drawn = charts._drawn.cache_info().misses
    assert drawn == 1
    again = client.get(url).get_data(as_text=True)
    assert CHART.findall(again) == CHART.findall(first), "the same numbers, the same chart"
    assert ET.tostring(chart_svg(client, again, "Consultations par territoire")) == ET.tostring(before)
    assert charts._drawn.cache_info().misses == drawn, "a second view draws nothing"
    assert "Boulonnais : 1" in before.find(SVG + "desc").text
    make_consultation(date=date(2026, 4, 2), mission=EVICTION, commune_insee="62160", territory_code="boulonnais")
    after = chart_svg(client, client.get(url).get_data(as_text=True), "Consultations par territoire")
    assert "Boulonnais : 2" in after.find(SVG + "desc").text
    assert "2" in [t.text for t in after.iter(SVG + "text")] and ET.tostring(after) != ET.tostring(before)


def test_a_chart_is_only_what_a_page_named_and_only_for_managers(app, client, make_user, login):
    login(make_user("manager"))
    page = client.get("/reports/?from=2026-03&to=2026-04").get_data(as_text=True)
    src = CHART.findall(page)[0][0]
    token = src.removeprefix("/reports/charts/").removesuffix(".svg")
    forged = charts.bars("Faux", {"Arrageois": 99}).token("another-secret")
    for wrong in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "x", "a" * 5000, token + "."):
        response = client.get(f"/reports/charts/{wrong}.svg")
        assert response.status_code == 404, wrong
        assert "introuvable" in response.get_data(as_text=True).lower()
    assert client.get(src).status_code == 200
    anonymous = app.test_client()
    response = anonymous.get(src)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.test_client() as other:
        token = csrf_token(other, "/login")
        jurist = make_user("jurist")
        assert (
            other.post("/login", data={"email": jurist.email, "password": PASSWORD, "csrf_token": token}).status_code
            == 302
        )
        assert other.get(src).status_code == 403


# --- family situation x housing sector ----------------------------------------------------------------------


def test_family_situation_by_sector_from_records():
    def record(family, sector, month="2026-03", territory="lens-henin"):
        codes = {name: "inconnu" for name in tidy.SINGLE_CODES} | {"family_situation": family, "housing_sector": sector}
        return tidy.ConsultationRecord("info_logement", month, territory, "c1", codes)

    rows = tidy.build(
        [
            record("personne_seule", "prive"),
            record("personne_seule", "prive", "2026-04", "boulonnais"),
            record("personne_seule", "social"),
            record("couple_avec_enfants", "social"),
            record(None, "prive"),
        ]
    )
    cross = {(r.period, r.territory, r.category): r.value for r in rows if r.indicator == "family_situation_by_sector"}
    assert cross == {
        ("2026-03", "lens-henin", "personne_seule|prive"): 1,
        ("2026-03", "lens-henin", "personne_seule|social"): 1,
        ("2026-03", "lens-henin", "couple_avec_enfants|social"): 1,
        ("2026-03", "all", "personne_seule|prive"): 1,
        ("2026-03", "all", "personne_seule|social"): 1,
        ("2026-03", "all", "couple_avec_enfants|social"): 1,
        ("2026-04", "boulonnais", "personne_seule|prive"): 1,
        ("2026-04", "all", "personne_seule|prive"): 1,
        ("total", "lens-henin", "personne_seule|prive"): 1,
        ("total", "lens-henin", "personne_seule|social"): 1,
        ("total", "lens-henin", "couple_avec_enfants|social"): 1,
        ("total", "boulonnais", "personne_seule|prive"): 1,
        ("total", "all", "personne_seule|prive"): 2,
        ("total", "all", "personne_seule|social"): 1,
        ("total", "all", "couple_avec_enfants|social"): 1,
    }


def test_family_situation_by_sector_in_the_csv_the_rollup_and_the_page(
    app, client, make_user, login, make_consultation
):
    for family, sector, (insee, territory) in (
        ("personne_seule", "prive", PLACES[0]),
        ("personne_seule", "prive", PLACES[1]),
        ("personne_seule", "social", PLACES[0]),
        ("famille_monoparentale", "social", PLACES[0]),
    ):
        make_consultation(
            date=date(2026, 3, 4),
            family_situation=family,
            housing_sector=sector,
            commune_insee=insee,
            territory_code=territory,
        )
    make_consultation(date=date(2026, 3, 5))  # family situation and sector left at "inconnu"
    login(make_user("manager"))
    exported = client.get("/reports/export.csv?from=2026-03&to=2026-03&mission=info_logement").get_data(as_text=True)
    cross = {
        (line[2], line[4]): line[5]
        for line in csv.reader(io.StringIO(exported))
        if line[3] == "family_situation_by_sector" and line[1] == "total"
    }
    assert cross == {
        ("lens-henin", "personne_seule|prive"): "1",
        ("lens-henin", "personne_seule|social"): "1",
        ("lens-henin", "famille_monoparentale|social"): "1",
        ("lens-henin", "inconnu|inconnu"): "1",
        ("boulonnais", "personne_seule|prive"): "1",
        ("all", "personne_seule|prive"): "2",
        ("all", "personne_seule|social"): "1",
        ("all", "famille_monoparentale|social"): "1",
        ("all", "inconnu|inconnu"): "1",
    }
    with app.app_context():  # the same after the rollup is recomputed from the consultations
        kept = rollup.rows(db.session, date(2026, 3, 1), date(2026, 3, 1), ["info_logement"])
        rollup.rebuild(db.session)
        assert rollup.rows(db.session, date(2026, 3, 1), date(2026, 3, 1), ["info_logement"]) == kept
        db.session.rollback()
    page = client.get("/reports/?from=2026-03&to=2026-03&mission=info_logement").get_data(as_text=True)
    table = page[page.index("<caption>Situation familiale selon le parc</caption>") :]
    table = table[: table.index("</table>")]
    lines = {
        cells[0]: cells[1:]
        for cells in (re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", line) for line in table.split("<tr>")[2:])
    }
    # Parc privé, Parc social, Non renseigné, Total
    assert lines["Personne seule"] == ["2", "1", "0", "3"]
    assert lines["Famille monoparentale"] == ["0", "1", "0", "1"]
    assert lines["Total"] == ["2", "2", "1", "5"]


def test_the_downloads_read_the_year_before_as_the_page_does(app, client, make_user, login, generated, monkeypatch):
    """The XLSX and the PDF compare with the year before's rows as the page reads them (services.page: totals,
    months, household figures), not with a second whole report: the same bilan, one report read."""
    first, last = date(2026, 11, 1), date(2027, 1, 1)  # the year before, 11/2025 to 01/2026, holds data
    earlier = bilan.year_before(first, last)
    with app.app_context():
        rows, names = services.report(first, last, MISSIONS, NOW, PARIS), territory_labels()
        whole = bilan.assemble(rows, first, last, MISSIONS, names, services.report(*earlier, MISSIONS, NOW, PARIS))
        read = bilan.assemble(rows, first, last, MISSIONS, names, services.page(*earlier, MISSIONS, NOW, PARIS))
    assert read == whole
    assert any(s.key == "previous" for b in read for s in b.sections)
    reports = []
    real = services.report
    monkeypatch.setattr(services, "report", lambda *args: reports.append(args[:2]) or real(*args))
    login(make_user("manager"))
    for fmt in ("xlsx", "pdf"):
        assert client.get(f"/reports/export.{fmt}?from=2026-11&to=2027-01").status_code == 200
    assert reports == [(first, last)]  # the XLSX's, of the range, never the year before (the PDF reads the page's rows)
