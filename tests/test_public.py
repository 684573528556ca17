"""The public permanences page and the calendar feed of each territory: open without login, grouped
by territory and commune, with what the public needs to come (and nothing personal)."""

import os
import re
import shutil
import threading
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from test_permanences import fresh_places, make_permanence  # noqa: F401 (fixture)
from werkzeug.serving import make_server

from hotline.extensions import db
from hotline.permanences import services
from hotline.permanences.models import Permanence
from hotline.public import listing

PARIS = ZoneInfo("Europe/Paris")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def planned(app, make_user, make_household):
    """Sophie holds Lens (info, Tuesdays 9-12) and Liévin (eviction, 1st Thursday 14-16:30); Marc holds
    Boulogne. 8 December is cancelled for Sophie's training; a household has booked 1 December."""
    sophie, marc = make_user("jurist", name="Sophie Lefebvre"), make_user("jurist", name="Marc Dubois")
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    lens = make_permanence(app, sophie, first_day=date(2026, 11, 1))
    make_permanence(
        app,
        sophie,
        name="Mairie de Liévin",
        address="Place Gambetta",
        commune_insee="62510",
        mission="prevention_expulsion",
        frequency="monthly",
        weekday=3,
        week_of_month=1,
        starts=time(14),
        ends=time(16, 30),
    )
    make_permanence(
        app,
        marc,
        name="CCAS de Boulogne-sur-Mer",
        address="Place Godefroy de Bouillon",
        commune_insee="62160",
        weekday=4,
    )
    with app.app_context():
        p = db.session.get(Permanence, lens)
        p.place.access_notes = "Entrée par la cour, rez-de-chaussée"
        p.place.public_phone = "+33321000062"
        services.cancel(p, date(2026, 12, 8), "Formation de Sophie", sophie)
        db.session.commit()
    return {"lens": lens}


def test_the_public_page_opens_without_login_grouped_by_territory_and_commune(client, planned):
    response = client.get("/public/permanences")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "no-store" not in response.headers["Cache-Control"]  # nothing personal: it may be cached
    page = response.get_data(as_text=True)
    # Territories in their order, then communes, then places.
    headings = re.findall(r"<h([234])[^>]*>([^<]+)</h\1>", page)
    assert headings == [
        ("2", "Boulonnais"),
        ("3", "Boulogne-sur-Mer"),
        ("4", "CCAS de Boulogne-sur-Mer"),
        ("2", "Lens-Hénin"),
        ("3", "Lens"),
        ("4", "Mairie de Lens"),
        ("3", "Liévin"),
        ("4", "Mairie de Liévin"),
    ]
    assert "17 bis place Jean Jaurès, Lens" in page and "Entrée par la cour, rez-de-chaussée" in page
    assert "Téléphone du lieu : 03 21 00 00 62" in page
    assert "Chaque mardi,\n        de 9 h à 12 h." in page and "de 14 h à 16 h 30" in page
    assert "08/12/2026 (annulée)" in page and "25/12/2026 (jour férié)" in page
    assert 'appelez le numéro vert <a href="tel:+33800000062">0 800 00 00 62</a>' in page
    for private in ("Sophie", "Marc", "Formation", "Lefebvre"):
        assert private not in page
    one = client.get("/public/permanences?territory=boulonnais").get_data(as_text=True)
    assert "CCAS de Boulogne-sur-Mer" in one and "Mairie de Lens" not in one
    assert client.get("/public/permanences?territory=atlantis").status_code == 200


def test_a_closed_place_is_not_shown(app, client, planned):
    with app.app_context():
        db.session.get(Permanence, planned["lens"]).place.active = False
        db.session.commit()
    page = client.get("/public/permanences").get_data(as_text=True)
    assert "Mairie de Lens" not in page and "Mairie de Liévin" in page


def test_the_territory_feed_is_an_icalendar_file_with_its_time_zone(client, planned):
    response = client.get("/public/permanences/lens-henin.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Paris"]
    assert {c.name for c in zones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Paris"
    assert events[0].decoded("dtstart") == datetime(2026, 12, 1, 9, tzinfo=PARIS)
    assert str(events[0]["summary"]) == "Permanence logement — Mairie de Lens"
    assert str(events[0]["location"]) == "Mairie de Lens, 17 bis place Jean Jaurès, Lens, Lens"
    assert "appelez le numéro vert 0 800 00 00 62" in str(events[0]["description"])
    cancelled = [e for e in events if e.decoded("dtstart").date() == date(2026, 12, 8)][0]
    assert str(cancelled["status"]) == "CANCELLED" and str(cancelled["description"]) == "Annulée : annulée"
    thursday = [e for e in events if e.decoded("dtstart").date() == date(2026, 12, 3)][0]
    assert thursday.decoded("dtend") == datetime(2026, 12, 3, 16, 30, tzinfo=PARIS)
    assert {str(e["summary"]) for e in events} == {
        "Permanence logement — Mairie de Lens",
        "Permanence logement — Mairie de Liévin",
    }
    for private in (b"Sophie", b"Marc", b"Formation"):
        assert private not in response.data
    assert client.get("/public/permanences/atlantis.ics").status_code == 404


def test_the_number_to_call():
    numbers = {"+33800000062": "prevention_expulsion"}
    assert listing.green_number("prevention_expulsion", numbers, "0 800 00 00 63") == listing.PhoneNumber(
        "0 800 00 00 62", "tel:+33800000062"
    )
    assert listing.green_number("info_logement", numbers, "0 800 00 00 63").uri == "tel:+33800000063"
    assert listing.green_number("info_logement", numbers, None).display == "0 800 00 00 62"
    assert listing.green_number("info_logement", {}, None) is None
    assert listing.spoken_hour(time(9)) == "9 h" and listing.spoken_hour(time(16, 30)) == "16 h 30"


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_the_public_page_is_accessible_and_printable(app, planned):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(base_url=f"http://127.0.0.1:{httpd.server_port}", locale="fr-FR")
            page.goto("/public/permanences")
            assert "/login" not in page.url and page.inner_text("h1").startswith("Permanences")
            results = Axe().run(page)
            serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert serious == [], results.generate_report()
            page.select_option("#territory", "boulonnais")
            page.click("button:text('Afficher')")
            page.wait_for_url("**territory=boulonnais")
            assert page.locator("h2").all_inner_texts() == ["Boulonnais"]
            page.emulate_media(media="print")
            assert not page.locator("form.filters").is_visible() and page.locator("article.place").is_visible()
            browser.close()
    finally:
        httpd.shutdown()
