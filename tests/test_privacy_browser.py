"""In Debian's chromium: a manager finds the RGPD page from the household, it passes axe, and erasing
asks for the word before anything goes."""

from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from test_browser import browser, log_in, page, pytestmark, server  # noqa: F401 (fixtures, marks)

from hotline.consultations.models import Consultation, Household
from hotline.extensions import db


def test_a_manager_erases_a_household_from_its_page(app, page, make_user, make_household, make_consultation):  # noqa: F811
    household = make_household(name="Famille Effacée", phone="+33611111111")
    make_consultation(household=household, notes="Notes à effacer")
    log_in(page, make_user("manager"), start=f"/households/{household.id}")
    page.get_by_role("link", name="Données personnelles (RGPD)").click()
    page.wait_for_url(f"**/households/{household.id}/personal-data/")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_label("Pour confirmer, tapez EFFACER").fill("effacé")
    page.get_by_role("button", name="Effacer les données personnelles").click()
    assert page.get_by_text("Tapez EFFACER pour confirmer l'effacement.").is_visible()
    assert page.get_by_label("Pour confirmer, tapez EFFACER").input_value() == "effacé"
    assert Axe().run(page).violations_count == 0
    page.get_by_label("Pour confirmer, tapez EFFACER").fill("EFFACER")
    page.get_by_role("button", name="Effacer les données personnelles").click()
    assert page.get_by_role("status").inner_text().startswith(f"Les données personnelles du ménage n° {household.id}")
    assert page.locator("h1").inner_text().endswith(f"Ménage n° {household.id}")
    with app.app_context():
        assert db.session.get(Household, household.id).name is None
        assert db.session.scalar(select(Consultation.notes).where(Consultation.household_id == household.id)) is None
