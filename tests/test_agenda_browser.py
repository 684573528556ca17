"""End to end in Debian's chromium: a jurist books an eviction appointment from a household's page
in the agenda's week, finds it in the appointments and the agenda, then holds it into a prefilled
consultation; on a phone's 390 px the agenda shows a day, fits and passes axe."""

import os
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from test_agenda import weekly_permanence
from test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (the fixtures, shared)

from hotline.appointments.models import Appointment
from hotline.extensions import db
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
        weekly_permanence(paul, "prevention_expulsion", "62160", "Mairie de Boulogne", 2)
        weekly_permanence(paul, "info_logement", "62498", "Mairie de Lens", 1)
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


def shoot(page, name: str) -> None:
    """A screenshot to look at, in the folder HOTLINE_TEST_SHOTS names (none without it)."""
    folder = os.environ.get("HOTLINE_TEST_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


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


# Each visible entry of the week: whether a part of its first line (time, kind) shown is cut, its start time,
# and its marker (shown when the box is too narrow for the time): its accessible name and link.
NARROW = """() => [...document.querySelectorAll('#agenda-grid .entries .entry')].filter(e => e.offsetParent).map(e => {
  const line = e.querySelector('.text > .line'), marker = e.querySelector('.marker');
  const shown = line.offsetParent !== null, box = e.getBoundingClientRect(), time = line.querySelector('strong');
  return {id: e.id, width: Math.round(box.width), shown, text: shown ? time.textContent.trim().slice(0, 5) : '',
    cut: shown && [...line.children].some(part => {
      const r = part.getBoundingClientRect(), l = line.getBoundingClientRect();
      return r.width > 1 && r.top < l.bottom - 1 && (r.right > l.right + 1 || r.right > box.right - 1); }),
    marker: marker && marker.offsetParent ? marker.getAttribute('aria-label') : null,
    href: marker ? marker.getAttribute('href') : null};
})"""


def crowded_week(app, browser, server, make_user, make_household, appointments):
    """Wednesday 2 December, 9:00-11:00: beside Paul's permanence, Marie's in Outreau, and `appointments` office
    appointments of half an hour from 9:30, each of another jurist; a manager's page on that week at 1366 px,
    and that Wednesday's entries (NARROW)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    marie = make_user("jurist", name="Marie Outreau", territories=("boulonnais",))
    household = make_household(name="Famille Bouquet", phone="+33612340000")
    others = [make_user("jurist", name=f"Juriste {n}", territories=("boulonnais",)) for n in range(appointments)]
    with app.app_context():
        weekly_permanence(marie, "prevention_expulsion", "62643", "Mairie d'Outreau", 2)
        for n, other in enumerate(others):
            starts = datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/Paris")) + timedelta(minutes=n)
            db.session.add(
                Appointment(
                    household_id=household.id, mission="prevention_expulsion", starts_at=starts, user_id=other.id
                )
            )
        db.session.commit()
    context, page = new_page(browser, server, 1366, 900)
    log_in(page, make_user("manager"), "/agenda/?week=2026-11-30")
    page.wait_for_url("**/agenda/**")
    return context, page, [e for e in page.evaluate(NARROW) if e["id"].startswith("entry-2026-12-02")]


def test_a_narrow_lane_shows_its_start_time_whole(app, browser, server, boulogne, make_user, make_household):
    """Two permanences and an appointment at the same time in a day of the week at 1366 px: the appointment's
    lane, the narrowest, still shows "09:30" whole (not "09"); nothing in the week overflows its box."""
    context, page, entries = crowded_week(app, browser, server, make_user, make_household, 1)
    try:
        assert len(entries) == 3, entries
        appointment = min(entries, key=lambda e: e["width"])
        assert appointment["text"] == "09:30" and appointment["marker"] is None, appointment
        assert [e for e in entries if e["cut"] or not e["shown"]] == [], entries
        assert serious_violations(page) == []
        shoot(page, "agenda-three-lanes-1366")
    finally:
        context.close()


def test_a_lane_too_narrow_for_its_time_shows_a_named_marker_to_the_day_view(
    app, browser, server, boulogne, make_user, make_household
):
    """Eight overlapping entries in a day of the week: a box too narrow for "09:30" cuts nothing; it shows a
    marker, a link named with the entry's time, kind and title, that opens the day view at the entry."""
    context, page, entries = crowded_week(app, browser, server, make_user, make_household, 6)
    try:
        assert [e for e in entries if e["cut"]] == [], entries
        marked = [e for e in entries if e["marker"]]
        assert marked and all(not e["shown"] for e in marked), entries
        assert all(
            e["text"] in ("09:00", "09:30", "09:31", "09:32", "09:33", "09:34", "09:35") for e in entries if e["shown"]
        )
        appointment = next(e for e in marked if "Rendez-vous : Famille Bouquet" in e["marker"])
        assert appointment["marker"].startswith("09:3") and "Permanence : Mairie d'Outreau" in str(marked)
        assert serious_violations(page) == []
        shoot(page, "agenda-eight-lanes-1366")
        page.get_by_role("link", name=appointment["marker"]).click()
        page.wait_for_url("**day=2026-12-02**")
        assert page.url.endswith("#" + appointment["id"]) and page.locator(f"#{appointment['id']}").is_visible()
        assert "Famille Bouquet" in page.locator(f"#{appointment['id']}").inner_text()
    finally:
        context.close()
