"""End to end in Debian's chromium: a jurist books an eviction appointment from a household's page
in the agenda's week, finds it in the appointments and the agenda, then holds it into a prefilled
consultation; on a phone's 390 px the agenda shows a day, fits and passes axe."""

import os
from datetime import date, time

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (the fixtures, shared)

from hotline.appointments.models import Appointment
from hotline.extensions import db
from hotline.permanences import services as permanences
from hotline.sms.models import SmsMessage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def new_page(browser, server, width, height):
    context = browser.new_context(base_url=server, locale="fr-FR", viewport={"width": width, "height": height})
    return context, context.new_page()


@pytest.fixture
def boulogne(app, make_user, make_household, make_consultation):
    """Paul (both missions) holds an eviction permanence in Boulogne on Wednesdays, 9:00-11:00, and an
    information one in Lens on Tuesdays; the Durand household of Boulogne is in an eviction procedure."""
    paul = make_user("jurist", name="Paul Durand", territories=("boulonnais",))
    household = make_household(name="Famille Durand", phone="+33612345678", commune_insee="62160")
    make_consultation(
        household=household,
        mission="prevention_expulsion",
        commune_insee="62160",
        territory_code="boulonnais",
        date=date(2026, 11, 20),
    )
    with app.app_context():
        for mission, insee, name, weekday in (
            ("prevention_expulsion", "62160", "Mairie de Boulogne", 2),
            ("info_logement", "62498", "Mairie de Lens", 1),
        ):
            permanences.save(
                None,
                commune_insee=insee,
                name=name,
                address="1 place de la Mairie",
                mission=mission,
                user_id=paul.id,
                frequency="weekly",
                weekday=weekday,
                week_of_month=None,
                starts=time(9),
                ends=time(11),
                first_day=date(2026, 11, 1),
                last_day=None,
                active=True,
            )
        db.session.commit()
    return {"jurist": paul, "household": household}


def test_an_eviction_appointment_booked_in_the_week_is_held_into_a_prefilled_consultation(
    app, browser, server, boulogne
):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"  # Tuesday
    context, page = new_page(browser, server, 1366, 900)
    try:
        household = boulogne["household"]
        log_in(page, boulogne["jurist"], f"/households/{household.id}")
        page.wait_for_url(f"**/households/{household.id}")
        page.click("text=Prendre rendez-vous")
        page.wait_for_url("**/agenda/**")
        assert page.input_value("#mission") == "prevention_expulsion"
        assert page.input_value("#territory") == "boulonnais"
        wednesday = page.locator("#day-2026-12-02")
        assert "Mairie de Boulogne" in wednesday.inner_text() and "Mairie de Lens" not in page.content()
        wednesday.get_by_role("link", name="Réserver mercredi 02/12/2026 à 09:30, Mairie de Boulogne").click()
        assert "Mairie de Boulogne" in page.inner_text("dl.summary")
        page.check("#sms_reminder")
        page.click("#booking button[type=submit]")
        page.wait_for_url(f"**/households/{household.id}")
        assert "Rendez-vous pris le 02/12/2026 à 09:30" in page.inner_text("main")

        page.goto("/appointments/")
        row = page.locator("tr", has_text="Famille Durand")
        assert "Mairie de Boulogne" in row.inner_text() and "02/12/2026 09:30" in row.inner_text()
        page.goto("/agenda/?week=2026-12-02")
        assert "Famille Durand" in page.locator("#day-2026-12-02").inner_text()
        page.goto("/")  # the jurist's home: tomorrow's appointment, with its time and place
        appointments = page.locator("#rendez-vous").inner_text()
        assert "Famille Durand" in appointments and "09:30" in appointments, appointments
        with app.app_context():
            appointment = db.session.scalars(select(Appointment)).one()
            assert (appointment.mission, appointment.mode, appointment.sms_reminder) == (
                "prevention_expulsion",
                "permanence",
                True,
            )
            assert db.session.scalar(select(SmsMessage.purpose)) == "confirmation"

        app.config["FIXED_NOW"] = "2026-12-02T09:40"
        page.goto("/appointments/")
        page.locator("tr", has_text="Famille Durand").get_by_role("button", name="Tenu").click()
        page.wait_for_url("**/consultations/new**")
        assert "/consultations/new" in page.url
        assert "Famille Durand" in page.inner_text("main")
        assert page.input_value("#mission") == "prevention_expulsion"
        assert page.input_value("#mode") == "permanence"
    finally:
        context.close()


def serious_violations(page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shown_days(page) -> list[str]:
    return [d.get_attribute("id") for d in page.locator("li.day").all() if d.is_visible()]


def test_the_day_view_fits_a_phone(app, browser, server, boulogne):
    """At 390 px: the week shows its focus day alone, the day view one day; neither scrolls sideways, both
    pass axe; the links to the day before and after move one day."""
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    context, page = new_page(browser, server, 390, 844)
    try:
        log_in(page, boulogne["jurist"], f"/agenda/?household={boulogne['household'].id}")
        page.wait_for_url("**/agenda/**")
        assert shown_days(page) == ["day-2026-12-02"]  # the week of the first free slot, on its day
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert serious_violations(page) == []
        page.goto("/agenda/?day=2026-12-02")
        assert shown_days(page) == ["day-2026-12-02"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert serious_violations(page) == []
        slots = page.locator("#day-2026-12-02 .entry.permanence")
        assert "09:00–11:00" in slots.inner_text() and slots.bounding_box()["width"] <= 390
        page.click("#day-after")
        page.wait_for_url("**day=2026-12-03**")
        assert shown_days(page) == ["day-2026-12-03"]
        page.click("#day-before")
        page.click("#day-before")
        page.wait_for_url("**day=2026-12-01**")
        assert shown_days(page) == ["day-2026-12-01"] and "Mairie de Lens" in page.inner_text("#day-2026-12-01")
    finally:
        context.close()
