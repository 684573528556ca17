"""The consultation form's case block and referral hints (app.js), and the case page with its act
deletion, in Debian's headless chromium: what a jurist sees, with and without JavaScript, and axe-core."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select
from test_browser import CHROMIUM, browser, log_in, page, server  # noqa: F401 (fixtures)

from hotline.cases import referrals
from hotline.cases.models import ProcedureAct
from hotline.cases.services import record_acts
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db

pytestmark = [pytest.mark.browser]
SERIOUS = ("serious", "critical")


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"] if v["impact"] in SERIOUS]


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def live_hints(page) -> list[tuple[str, str]]:
    """(class, text) of each paragraph of the referral hints' live region."""
    found = page.eval_on_selector_all("#referral-live p", "ps => ps.map(p => [p.className, p.textContent])")
    return [tuple(item) for item in found]


def test_the_case_block_follows_the_mission(page, jurist):
    log_in(page, jurist)
    block = page.locator("#case-block")
    assert block.is_visible()  # no mission chosen yet: it may be the eviction's
    page.focus("#mission")
    page.select_option("#mission", "info_logement")
    assert block.is_hidden() and block.get_attribute("hidden") is not None
    assert focused_id(page) == "mission"  # the focus stays where the jurist is
    # An information consultation about unpaid rent states the case too (the server keeps it).
    unpaid = page.locator("input[name=themes][value='impayes_expulsion/impaye_locataire']")
    unpaid.check()
    assert block.is_visible()
    unpaid.uncheck()
    assert block.is_hidden()
    page.select_option("#mission", "prevention_expulsion")
    assert block.is_visible() and block.get_attribute("hidden") is None
    page.fill("#debt_amount", "1 200")
    page.select_option("#mission", "info_logement")
    page.select_option("#mission", "prevention_expulsion")
    assert page.input_value("#debt_amount") == "1 200"  # hidden, what was typed is kept


def test_the_referral_hint_shows_what_the_server_says(page, jurist):
    log_in(page, jurist)
    expect(page.locator("#referral-conditions")).to_be_hidden()  # once app.js has run (a loaded machine is slow)
    assert page.get_attribute("#referral-live", "aria-live") == "polite"
    assert live_hints(page) == []
    page.select_option("#mission", "prevention_expulsion")
    page.check("input[name=outcomes][value=equipe_mobile]")
    # Neither territory nor sector yet: the server's hint names both.
    assert live_hints(page) == [("warning", *referrals.hints(["equipe_mobile"], None, None, []))]
    assert focused_id(page).startswith("outcomes")
    page.select_option("#territory", "boulonnais")
    page.select_option("#housing_sector", "prive")
    assert live_hints(page) == [("hint", referrals.CONDITIONS_BY_OUTCOME["equipe_mobile"])]
    page.select_option("#territory", "arrageois")
    assert live_hints(page) == [("warning", *referrals.hints(["equipe_mobile"], "arrageois", "prive", []))]

    page.uncheck("input[name=outcomes][value=equipe_mobile]")
    page.select_option("#housing_sector", "social")
    page.check("input[name=outcomes][value=protocole_cohesion_sociale]")
    page.select_option("#procedure_stage", "assignation")
    assert live_hints(page) == [
        ("warning", *referrals.hints(["protocole_cohesion_sociale"], "arrageois", "social", ["assignation"]))
    ]
    page.click("#acts-block summary")
    page.fill("#act_commandement_quitter", "2026-11-02")  # an act after the lease's termination
    page.press("#act_commandement_quitter", "Tab")
    assert live_hints(page) == [("hint", referrals.CONDITIONS_BY_OUTCOME["protocole_cohesion_sociale"])]


def test_without_javascript_everything_shows(browser, server, jurist):
    context = browser.new_context(base_url=server, locale="fr-FR", java_script_enabled=False)
    plain = context.new_page()
    try:
        log_in(plain, jurist)
        plain.select_option("#mission", "info_logement")
        assert plain.locator("#case-block").is_visible()
        assert plain.inner_text("#referral-conditions") == str(referrals.CONDITIONS)
        assert plain.locator("#referral-live").count() == 0
    finally:
        context.close()


@pytest.fixture
def followed(app, make_household, make_consultation, jurist):
    """A household followed in the eviction mission, its commandement de payer dated."""
    household = make_household(name="Famille Test", phone="+33612000001", commune_insee="62498")
    consultation = make_consultation(
        household=household,
        mission="prevention_expulsion",
        jurist_id=jurist.id,
        date=date(2026, 11, 20),
        procedure_stage="commandement_payer",
        themes=["impayes_expulsion"],
    )
    with app.app_context():
        record_acts(
            db.session.get(Household, household.id),
            db.session.get(Consultation, consultation.id),
            {"commandement_payer": date(2026, 11, 2)},
            lease_signed_on=date(2024, 1, 15),
        )
        db.session.commit()
    return household


def test_the_case_page_and_the_deletion_pass_axe_and_work_without_javascript(app, page, jurist, followed):
    app.config["FIXED_NOW"] = "2026-11-25T10:00"
    log_in(page, jurist, start=f"/households/{followed.id}")
    assert page.locator("#notice-clause_resolutoire").is_visible()
    assert not serious_violations(page)
    page.click("#acts a.delete-act")
    assert page.inner_text("#question") == (
        "Supprimer l'acte « Commandement de payer visant la clause résolutoire » du 02/11/2026 ?"
    )
    assert not serious_violations(page)
    page.click("#delete-act button[type=submit]")
    assert page.url.endswith(f"/households/{followed.id}")
    assert "a été supprimé du dossier" in page.inner_text(".flash-success")
    assert page.locator("#notice-clause_resolutoire").count() == 0 and page.locator("#acts").count() == 0
    assert not serious_violations(page)
    with app.app_context():
        assert db.session.scalar(select(ProcedureAct.deleted_at)) is not None


def test_the_form_passes_axe_with_the_block_hidden_and_a_hint_shown(page, jurist):
    log_in(page, jurist)
    page.select_option("#mission", "info_logement")
    page.check("input[name=outcomes][value=equipe_mobile]")
    assert live_hints(page)
    assert not serious_violations(page)
    page.select_option("#mission", "prevention_expulsion")
    assert not serious_violations(page)


def test_the_fiche_prints_on_one_or_two_a4_pages_and_passes_axe(app, page, jurist, followed):
    """The fiche de situation of a household past the commandement de quitter, in the truce: what a family
    takes home, printed by Chromium on A4 (its print style hides the menu), read back with pypdf."""
    import io

    from pypdf import PdfReader

    with app.app_context():
        household = db.session.get(Household, followed.id)
        consultation = db.session.scalar(select(Consultation))
        record_acts(
            household,
            consultation,
            {"jugement_resiliation": date(2026, 9, 7), "commandement_quitter": date(2026, 10, 12)},
        )
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-11-25T10:00"
    log_in(page, jurist, start=f"/households/{followed.id}/fiche")
    assert "aucune expulsion avant le 01/04/2027" in page.inner_text(".fiche-summary")
    assert not serious_violations(page)
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert 1 <= len(pdf.pages) <= 2
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Fiche de situation" in text and "Où s'adresser" in text and "Navigation principale" not in text
    assert "Consultations" not in text.split("Fiche de situation")[0]  # the menu is not printed
