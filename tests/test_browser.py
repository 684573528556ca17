"""End to end, in Debian's headless chromium driven by Playwright: what a jurist does."""

import os
import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import PASSWORD, SAMPLE_CONSULTATIONS
from sqlalchemy import select
from werkzeug.serving import make_server

from hotline.consultations.models import Consultation
from hotline.extensions import db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, locale="fr-FR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def log_in(page, user, start="/consultations/new"):
    page.goto(start)
    assert "/login" in page.url
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def fill_consultation(page, debt):
    page.select_option("#mission", "prevention_expulsion")
    page.select_option("#mode", "telephone")
    page.fill("#household_name", "Famille Lensoise")
    page.fill("#household_phone", "06 10 20 30 40")
    page.fill("#commune", "Lens")
    page.check("input[name=themes][value='impayes_expulsion/impaye_locataire']")
    page.check("input[name=outcomes][value=saisine_fsl]")
    page.select_option("#procedure_stage", "commandement_payer")
    page.fill("#debt_amount", debt)
    page.check("input[name=debt_origins][value=perte_emploi]")


def test_jurist_records_an_eviction_consultation(page, jurist, app, tmp_path):
    log_in(page, jurist)
    assert page.url.endswith("/consultations/new")
    # Always shown: it serves the eviction mission and the info line's consultations about unpaid rent.
    assert page.is_visible("#case-block")

    fill_consultation(page, "-12")
    page.click("#consultation-form button[type=submit]")
    assert page.inner_text("#debt_amount-err") == "Le montant de la dette ne peut pas être négatif."
    assert page.input_value("#household_name") == "Famille Lensoise"
    assert page.input_value("#commune") == "Lens"
    assert page.is_checked("input[name=outcomes][value=saisine_fsl]")
    assert page.get_attribute("#debt_amount", "aria-invalid") == "true"

    page.fill("#debt_amount", "1 234,56")
    page.click("#consultation-form button[type=submit]")
    assert page.inner_text(".flash-success") == "Consultation enregistrée."
    page.screenshot(path=str(tmp_path / "consultation.png"), full_page=True)
    assert "1\u202f234,56" in page.inner_text("dl.facts")

    page.click("text=Consultations")
    assert page.is_visible("text=Famille Lensoise")
    page.click("text=Famille Lensoise")
    timeline = page.inner_text("ol.timeline")
    assert "Commandement de payer visant la clause résolutoire" in timeline
    with app.app_context():
        saved = db.session.scalar(select(Consultation))
        assert (saved.territory_code, str(saved.debt_amount)) == ("lens-henin", "1234.56")


def test_keyboard_reaches_the_form(page, jurist):
    log_in(page, jurist)
    page.wait_for_url("**/consultations/new")
    page.wait_for_load_state("load")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"


def test_admin_plans_a_permanence_and_its_jurist_cancels_a_date(page, browser, server, app, make_user, tmp_path):
    from hotline.permanences.models import Permanence

    admin, holder = make_user("admin"), make_user("jurist", name="Sophie Lefebvre")
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    log_in(page, admin, start="/permanences/")
    page.click("nav >> text=Permanences")
    page.click("text=Planifier les permanences")
    page.click("text=Nouvelle permanence")
    page.fill("#name", "Mairie de Lens")
    page.fill("#address", "17 bis place Jean Jaurès")
    page.fill("#commune", "Lens (62300)")
    page.select_option("#mission", "info_logement")
    page.select_option("#user_id", str(holder.id))
    page.select_option("#frequency", "monthly")
    page.select_option("#weekday", "1")
    page.fill("#starts", "09:00")
    page.fill("#ends", "12:00")
    page.fill("#first_day", "2026-12-01")
    page.click('button:text("Enregistrer")')
    assert page.inner_text("#week_of_month-err") == "Choisissez la semaine du mois."
    assert page.input_value("#name") == "Mairie de Lens" and page.input_value("#commune") == "Lens (62300)"
    page.select_option("#week_of_month", "2")
    page.click('button:text("Enregistrer")')
    assert page.inner_text(".flash-success") == "Permanence « Mairie de Lens » enregistrée."
    assert "Le 2e mardi du mois, 09:00–12:00" in page.inner_text("table")

    context = browser.new_context(base_url=server, locale="fr-FR")
    jurist_page = context.new_page()
    log_in(jurist_page, holder, start="/permanences/")
    row = jurist_page.locator("tr", has_text="08/12/2026")
    row.locator("input[name=reason]").fill("Formation")
    row.locator("button", has_text="Annuler").click()
    assert "Annulée : Formation" in jurist_page.locator("tr", has_text="08/12/2026").inner_text()
    jurist_page.screenshot(path=str(tmp_path / "permanences.png"), full_page=True)
    context.close()
    with app.app_context():
        permanence = db.session.scalar(select(Permanence))
        assert [(c.day.isoformat(), c.reason) for c in permanence.cancellations] == [("2026-12-08", "Formation")]


def test_jurist_books_an_appointment_and_manager_reads_the_report(
    page, browser, server, app, make_user, make_household, tmp_path
):
    from datetime import date, time

    from hotline.appointments.models import Appointment
    from hotline.permanences import services as permanences

    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    holder = make_user("jurist", name="Sophie Lefebvre", missions=("info_logement",))
    with app.app_context():
        permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="Place Jean Jaurès",
            mission="info_logement",
            user_id=holder.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 11, 1),
            last_day=None,
            active=True,
        )
        db.session.commit()
    family = make_household(name="Famille Martin", phone="+33612345678", commune_insee="62498", created_by_id=holder.id)
    log_in(page, holder, start=f"/households/{family.id}")
    page.click("text=Prendre rendez-vous")  # the agenda, on the household's territory and mission
    page.click("#office-booking")
    page.click("button:text('Prendre le rendez-vous')")
    assert page.inner_text("#office_at-err") == "Indiquez la date et l'heure du rendez-vous au bureau."
    page.click("text=Retour à l'agenda")
    page.click("a[aria-label='Réserver mardi 01/12/2026 à 10:30, Mairie de Lens']")
    page.check("#sms_reminder")
    page.click("button:text('Prendre le rendez-vous')")
    assert page.inner_text(".flash-success") == "Rendez-vous pris le 01/12/2026 à 10:30."
    assert "Mairie de Lens, Sophie Lefebvre : Prévu" in page.inner_text("main")
    page.click("nav >> text=Rendez-vous")
    assert "Famille Martin" in page.inner_text("table") and "SMS prévu" in page.inner_text("table")
    with app.app_context():
        assert db.session.scalar(select(Appointment)).sms_reminder is True

    manager = make_user("manager")
    context = browser.new_context(base_url=server, locale="fr-FR", accept_downloads=True)
    other = context.new_page()
    log_in(other, manager, start="/reports/")
    # A month input lets nobody type "2026-13": the server's check is reached through the address.
    assert other.get_attribute("#from", "type") == "month"
    other.goto("/reports/?from=2026-13&to=2026-12")
    assert other.inner_text("p.error") == "« 2026-13 » n'est pas un mois (AAAA-MM)."
    assert other.input_value("#to") == "2026-12"
    other.fill("#from", "2026-01")
    other.click("button:text('Afficher')")
    # The charts come after the page, each an image the browser loads and draws (the CSP lets it).
    other.wait_for_load_state("load")
    sizes = other.eval_on_selector_all("img.chart", "images => images.map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) >= 5 and all(complete and width > 0 for complete, width in sizes), sizes
    with other.expect_download() as download:
        other.click("text=CSV")
    path = tmp_path / "rapport.csv"
    download.value.save_as(path)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "mission,period,territory,indicator,category,value"
    context.close()


def test_manager_imports_a_file_after_a_dry_run(page, app, make_user, tmp_path):
    manager = make_user("manager")
    log_in(page, manager, start="/consultations/import")
    wrong = tmp_path / "faux.csv"
    wrong.write_text("date;mission;mode\n2026-03-02;info_logement;fax\n", encoding="cp1252")
    page.set_input_files("#file", str(wrong))
    page.click("button:text('Importer')")
    assert page.inner_text("h2") == "1 erreur(s) : rien n'a été importé"
    assert page.inner_text("tbody tr") == "2\tmode\tcode inconnu (voir le format d'import)."
    sample = SAMPLE_CONSULTATIONS
    page.set_input_files("#file", str(sample))
    page.check("#dry_run")
    page.click("button:text('Importer')")
    assert "Essai réussi : 60 consultation(s) seraient créées" in page.inner_text("[role=status]")
    page.uncheck("#dry_run")
    page.set_input_files("#file", str(sample))
    page.click("button:text('Importer')")
    assert page.inner_text(".flash-success") == "Import terminé : 60 consultation(s) créées, 0 mises à jour."
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Consultation)) == 60


def test_jurist_records_two_acts_and_reads_the_case(page, jurist, app, tmp_path):
    app.config["FIXED_NOW"] = "2026-11-25T10:00"
    log_in(page, jurist)
    fill_consultation(page, "1 234,56")
    page.fill("#lease_signed_on", "2019-09-01")
    page.fill("#rent_amount", "540,00")
    page.select_option("#landlord_type", "personne_physique")
    page.click("#acts-block summary")
    page.fill("#act_commandement_payer", "2026-06-03")
    page.fill("#act_assignation", "2026-09-14")
    page.click("#consultation-form button[type=submit]")
    assert page.inner_text(".flash-success") == "Consultation enregistrée."
    page.click("dl.facts >> text=Famille Lensoise")
    rows = page.locator("#acts tbody tr").all_inner_texts()
    assert [row.split("\t")[:2] for row in rows] == [
        ["Commandement de payer visant la clause résolutoire", "03/06/2026"],
        ["Assignation devant le juge", "14/09/2026"],
    ]
    notice = page.inner_text("#notice-clause_resolutoire")
    assert "a expiré le 03/08/2026" in notice and "Art. 24 I de la loi n° 89-462 du 6 juillet 1989" in notice
    assert not page.is_visible("#notice-clause_resolutoire li")  # the caveats wait in their <details>
    page.click("#notice-clause_resolutoire summary")
    assert page.is_visible("#notice-clause_resolutoire li")
    assert page.get_attribute("#debt-chart svg", "role") == "img"
    assert page.text_content("#debt-chart svg > title") == "Dette du ménage"
    assert page.locator("#debt-chart svg").get_attribute("aria-labelledby").startswith("chart-")
    assert page.locator("#debt-chart svg").bounding_box()["height"] > 100
    # The page's CSP refuses inline styles: drawn with them, the chart was a black square.
    assert page.locator("#debt-chart [style], #debt-chart style").count() == 0
    assert page.eval_on_selector("#debt-chart svg path", "p => getComputedStyle(p).fill") != "rgb(0, 0, 0)"
    page.screenshot(path=str(tmp_path / "household.png"), full_page=True)
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_an_error_summary_takes_the_focus_and_links_to_each_field(page, jurist):
    log_in(page, jurist)
    fill_consultation(page, "-12")
    page.fill("#rent_amount", "beaucoup")
    page.click("#consultation-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = page.locator("#error-summary a")
    assert links.evaluate_all("links => links.map(a => a.getAttribute('href'))") == ["#debt_amount", "#rent_amount"]
    assert "Montant de la dette (€) : Le montant de la dette ne peut pas être négatif." in links.all_inner_texts()
    links.first.click()
    assert page.evaluate("document.activeElement.id") == "debt_amount"
    assert page.input_value("#household_name") == "Famille Lensoise"
