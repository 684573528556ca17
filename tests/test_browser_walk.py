"""A jurist's day in Debian's headless chromium, at a laptop's 1366 px and a phone's 390 px: what fought them
in the walk of session 12, each checked as a person sees it (text on the screen, not markup alone)."""

import re
from datetime import UTC, date, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect
from sqlalchemy import select
from test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (fixtures)
from test_case_browser import followed  # noqa: F401 (a household with a lease of 15/01/2024 and a commandement)
from test_consultations import form_data
from test_consultations_robustness import logged_in_client

from hotline.cases.path import WARNINGS
from hotline.cases.services import act_date_problem, case_codes
from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask

pytestmark = [pytest.mark.browser]
LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
DELAYS = "Jugement : délais de paiement accordés, effets de la clause résolutoire suspendus"


@pytest.fixture
def open_page(browser, server):  # noqa: F811 (a fixture of test_browser)
    contexts = []

    def open_at(viewport: dict):
        context = browser.new_context(base_url=server, locale="fr-FR", viewport=viewport)
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()


def shown_in_full(page, text: str) -> bool:
    """Whether `text` is on the screen whole: visible, inside the window's width, not clipped by its box."""
    found = page.get_by_text(text, exact=True)  # a drop-down's <option> is never visible: left out
    return any(
        found.nth(i).is_visible()
        and found.nth(i).evaluate(
            """(el) => { const r = el.getBoundingClientRect();
                         return r.left >= 0 && r.right <= window.innerWidth
                                && el.scrollWidth <= el.clientWidth + 1; }"""
        )
        for i in range(found.count())
    )


def choice_fits(page, selector: str) -> bool:
    """Whether the closed drop-down is as wide as one holding only its chosen label (browsers size a
    drop-down by its widest choice): then the label is seen whole."""
    return page.eval_on_selector(
        selector,
        """(select) => { const alone = document.createElement('select');
                         alone.style.cssText = 'position:absolute;visibility:hidden;width:auto;max-width:none';
                         alone.style.font = getComputedStyle(select).font;
                         alone.add(new Option(select.options[select.selectedIndex].text));
                         document.body.appendChild(alone);
                         const fits = alone.offsetWidth <= select.offsetWidth; alone.remove(); return fits; }""",
    )


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_the_chosen_procedure_stage_is_read_whole(open_page, jurist, viewport):
    """The stage's labels differ by their ends ("Jugement : délais de paiement…", "Jugement : résiliation…"):
    the drop-down cut them, at 390 px and even at 1366 px in the form's grid."""
    page = open_page(viewport)
    log_in(page, jurist)
    page.select_option("#mission", "prevention_expulsion")
    page.select_option("#procedure_stage", "jugement_delais")
    if viewport is LAPTOP:
        assert choice_fits(page, "#procedure_stage")  # the whole label in the drop-down itself
        expect(page.locator("#procedure_stage + .chosen-full")).to_be_hidden()  # not said twice
    else:
        assert not choice_fits(page, "#procedure_stage")  # no phone is wide enough for it
        assert shown_in_full(page, DELAYS)  # written out under it
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # Another choice: what is written follows.
    page.select_option("#procedure_stage", "jugement_resiliation")
    full = "Jugement : résiliation du bail et expulsion ordonnée"
    assert choice_fits(page, "#procedure_stage") or shown_in_full(page, full)
    assert not shown_in_full(page, DELAYS)


def test_an_act_dated_before_the_lease_is_said_once_saved(app, open_page, jurist, followed):  # noqa: F811
    """The form accepts an act older than the lease (a previous lease may explain it), but the jurist was told
    only on the household's page, later: now the saved consultation says it, what was typed kept."""
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    page = open_page(PHONE)
    log_in(page, jurist, f"/consultations/new?household={followed.id}")
    page.select_option("#mode", "telephone")
    page.fill("#debt_amount", "12 000,5x")  # two mistakes first: nothing typed is lost
    page.fill("#date", "2027-01-10")
    page.evaluate("document.getElementById('acts-block').open = true")
    page.fill("#act_assignation", "2023-05-10")  # before the lease of 15/01/2024
    page.click("#consultation-form button[type=submit]")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("La date ne peut pas être dans le futur.")
    expect(summary).to_contain_text("Montant illisible")
    assert page.input_value("#act_assignation") == "2023-05-10"
    assert page.input_value("#debt_amount") == "12 000,5x"
    page.fill("#date", "2026-12-07")
    page.fill("#debt_amount", "12 000,50")
    page.click("#consultation-form button[type=submit]")
    expect(page.get_by_text("Consultation enregistrée.")).to_be_visible()
    assert shown_in_full(page, WARNINGS["acte_avant_bail"])
    with app.app_context():
        saved = db.session.scalars(select(Consultation).order_by(Consultation.id.desc())).first()
        assert str(saved.debt_amount) == "12000.50"
    # Saved again without a new date, the household's known warning is not repeated at each save.
    page.click("text=Modifier")
    page.click("#consultation-form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    assert not page.get_by_text(WARNINGS["acte_avant_bail"], exact=True).count()


def test_a_callback_is_taken_from_the_home(app, open_page, jurist):
    """The home listed the callbacks to take, but taking one meant "Appels", the territory's table,
    "Actions", then "Je m'en occupe": now the button is on the home."""
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    with app.app_context():
        call = Call(
            call_sid="CA-walk",
            from_number="+33622334455",
            mission="prevention_expulsion",
            territory_code="lens-henin",
            started_at=datetime(2026, 12, 7, 7, 30, tzinfo=UTC),
            outcome="voicemail",
        )
        db.session.add(call)
        db.session.flush()
        db.session.add(CallbackTask(call_id=call.id, kind="voicemail", status="open"))
        db.session.commit()
    page = open_page(PHONE)
    log_in(page, jurist, "/")
    calls = page.locator("#appels")
    expect(calls).to_contain_text("Rappels à prendre (1)")
    take = calls.get_by_role("button", name="Je m'en occupe : appel du 07/12/2026 08:30")
    assert take.is_visible() and take.evaluate("b => b.getBoundingClientRect().right <= window.innerWidth")
    take.click()
    expect(page.get_by_text("Rappel pris en charge.")).to_be_visible()
    expect(page.locator("table.callbacks")).to_contain_text("Pris en charge par Julie Juriste")
    page.goto("/")
    expect(page.locator("#appels")).to_contain_text("Mes rappels en cours (1)")
    with app.app_context():
        assert db.session.scalars(select(CallbackTask)).one().claimed_by_id == jurist.id


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_the_managers_key_figures_read_under_their_headers(app, open_page, make_user, viewport):
    """The line's sheet (live.css, on every page of a manager) made the home's table of key figures a grid:
    the months' headers stood apart from their numbers and, on a phone, the mission's name ran one letter
    a line."""
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    manager = make_user("manager", name="Rémi Responsable")
    page = open_page(viewport)
    log_in(page, manager, "/")
    expect(page.locator("link[href$='live.css']")).to_have_count(1)  # the sheet is there (live.js adds it)
    table = page.locator("#chiffres table").first
    expect(table.locator("caption")).to_have_text("Information sur le logement et l'habitat")
    # Each number stands under its column's header, as a person reads a table.
    columns = table.evaluate(
        """(t) => { const spans = (row) => [...row.cells].map(c => { const r = c.getBoundingClientRect();
                                                                      return [r.left, r.right]; });
                    return [spans(t.tHead.rows[0]), spans(t.tBodies[0].rows[0])]; }"""
    )
    headers, cells = columns
    assert len(headers) == len(cells) == 4
    for (left, right), (cell_left, cell_right) in zip(headers, cells, strict=True):
        assert abs(left - cell_left) < 2 and abs(right - cell_right) < 2
    # The mission's name reads on one or two lines, not a letter a line.
    caption_lines = table.locator("caption").evaluate(
        """c => { const s = getComputedStyle(c);
                  const box = c.getBoundingClientRect().height;
                  const text = box - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
                  return Math.round(text / parseFloat(s.lineHeight)); }"""
    )
    assert caption_lines <= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_a_tables_caption_reads_on_a_phone(app, open_page, make_user):
    """On a phone a table reads as one block per row; its caption shrank to its longest word ("Chiffres" then
    "clés" a line below)."""
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    page = open_page(PHONE)
    log_in(page, make_user("manager"), "/reports/?from=2026-11&to=2026-11")
    caption = page.locator("main table caption", has_text="Chiffres clés").first
    expect(caption).to_be_visible()
    assert caption.evaluate("c => c.getBoundingClientRect().height < 1.5 * parseFloat(getComputedStyle(c).lineHeight)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("path", ["/households/", "/consultations/"])
def test_a_lists_two_pagers_are_told_apart(app, open_page, jurist, make_household, make_consultation, path):
    """A long list has its pages above and under it: two navigation landmarks named alike ("Pages"), which a
    screen reader's list of landmarks could not tell apart (axe: landmark-unique)."""
    app.config["PER_PAGE"] = 1
    for name in ("Famille Un", "Famille Deux"):
        make_consultation(household=make_household(name=name), jurist_id=jurist.id)
    page = open_page(LAPTOP)
    log_in(page, jurist, path)
    assert page.get_by_role("navigation", name="Pages", exact=True).is_visible()
    under = page.get_by_role("navigation", name="Pages (bas de la liste)", exact=True)
    assert under.is_visible() and "Page 1 sur 2" in under.inner_text()
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["id"] == "landmark-unique"] == []


def test_one_save_names_every_mistake_once(app, open_page, jurist, followed):  # noqa: F811
    """The acts' dates were checked only once the rest of the form was right: a jurist corrected the debt,
    saved again, and only then learnt of the act dated after the consultation, named twice ("Audience :
    Audience : ...")."""
    app.config["FIXED_NOW"] = "2026-12-07T10:00"
    page = open_page(PHONE)
    log_in(page, jurist, f"/consultations/new?household={followed.id}")
    page.select_option("#mode", "telephone")
    page.fill("#debt_amount", "12 000,5x")
    page.evaluate("document.getElementById('acts-block').open = true")
    page.fill("#act_commandement_quitter", "2027-03-01")  # after the consultation of 07/12/2026
    page.fill("#act_audience", "2028-03-01")  # a hearing, but more than a year ahead
    page.click("#consultation-form button[type=submit]")
    summary = page.locator("#error-summary li")
    expect(summary).to_have_text(
        [
            "Montant de la dette (€) : Montant illisible : écrivez par exemple 1 234,56 (deux décimales au plus).",
            "Audience : Une audience se fixe au plus un an après la consultation.",
            "Commandement de quitter les lieux : La date ne peut pas être postérieure à celle de la consultation.",
        ],
        use_inner_text=True,
    )
    assert page.input_value("#act_audience") == "2028-03-01" and page.input_value("#debt_amount") == "12 000,5x"
    # The link puts the focus in the field, where its message is said beside it.
    summary.nth(2).locator("a").click()
    expect(page.locator("#act_commandement_quitter")).to_be_focused()
    expect(page.locator("#act_commandement_quitter-err")).to_have_text(
        "La date ne peut pas être postérieure à celle de la consultation."
    )
    # Corrected, it saves.
    page.fill("#debt_amount", "12 000,50")
    page.fill("#act_commandement_quitter", "2026-12-01")
    page.fill("#act_audience", "2027-02-01")
    page.click("#consultation-form button[type=submit]")
    expect(page.get_by_text("Consultation enregistrée.")).to_be_visible()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    code=st.sampled_from(case_codes()),
    day=st.dates(date(1985, 1, 1), date(2028, 12, 31)),
    mission=st.sampled_from(["prevention_expulsion", "info_logement"]),
)
def test_the_forms_act_dates_follow_the_cases_rule(app, jurist, code, day, mission):
    """Whatever an act's date, the form says what cases' act_date_problem says, beside the field, at the same
    save as the form's own checks (a debt misspelt), and only when the case block counts (the eviction mission
    or unpaid rent; else ignored, as the form says); never a 500."""
    client = logged_in_client(app, jurist)
    themes = ["impayes_expulsion/impaye_locataire"] if mission == "prevention_expulsion" else ["rapports_locatifs"]
    data = form_data(client, mission=mission, themes=themes, debt_amount="12 000,5x", **{f"act_{code}": str(day)})
    response = client.post("/consultations/new", data=data)
    assert response.status_code == 200  # the misspelt debt is always refused
    page = response.get_data(as_text=True)
    beside = re.search(rf'id="act_{code}-err">([^<]+)<', page)
    problem = act_date_problem(code, day, date(2026, 11, 20)) if mission == "prevention_expulsion" else None
    if problem is None:
        assert beside is None
    else:
        assert beside and beside.group(1).lower() == problem.lower()
    assert "Montant illisible" in page and f'value="{day.isoformat()}"' in page
