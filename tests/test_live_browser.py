"""The screen pop in Debian's chromium: a call driven through Twilio-signed webhooks while a jurist's page is
open, and the banner arriving with the household and its next date within 2 s, on one server and with two
app servers (two processes on one database); the live pages checked with axe at 1366 and 390 px."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import requests
from conftest import EVICTION_NUMBER, TOKEN
from servers import Server, settings
from test_accessibility import serious_violations, too_wide
from test_browser import CHROMIUM, browser, log_in, page, server  # noqa: F401 (fixtures)
from test_live import CALLER, NOW, OPEN, followed, missed, on_duty  # noqa: F401 (a fixture)

from hotline.ivr.security import sign

pytestmark = pytest.mark.browser
BANNER = "#live-pop [data-pop-key]"
WITHIN = 2.0  # seconds, from the ring to the banner on the jurist's screen


def ring_through(post, sid="CAbrowser"):
    """The webhooks of a call on the green number up to the ring, through `post(path, **params)`."""
    for path, extra in (("/ivr/voice", {}), ("/ivr/postal/choice", {"Digits": "62200"}), ("/ivr/route", {})):
        response = post(path, CallSid=sid, From=CALLER, To=EVICTION_NUMBER, **extra)
        assert response.status_code == 200
    return response


def banner_time(page, ring) -> tuple[float, str]:
    """Seconds from the ring to the banner, and its text."""
    page.wait_for_timeout(1500)  # the page has polled already: the call comes while it is open
    assert page.locator(BANNER).count() == 0
    ring()  # its last step answers Twilio with the <Dial>: the jurist's phone rings from then on
    rung = time.monotonic()
    page.wait_for_selector(BANNER, timeout=WITHIN * 1000 + 1000)
    return time.monotonic() - rung, page.inner_text(BANNER)


def test_the_banner_arrives_within_two_seconds(app, page, twilio, on_duty, tmp_path):
    followed(app, "Famille Lefebvre", CALLER, acts={"audience": date(2027, 3, 12)})
    log_in(page, on_duty["claire"], start="/")
    page.wait_for_url("**/")
    seconds, text = banner_time(page, lambda: ring_through(twilio))
    assert seconds < WITHIN, f"the banner took {seconds:.2f} s"
    assert "Famille Lefebvre" in text and "Audience : vendredi 12/03/2027" in text and "06 11 22 33 44" in text
    page.screenshot(path=str(tmp_path / "pop.png"))
    page.click(f"{BANNER} a.button")  # one click: the consultation form, from the call and the household
    page.wait_for_url("**/consultations/new?*")
    form = page.inner_text("#consultation-form")
    assert "Ménage : Famille Lefebvre" in form and "Consultation liée à l'appel du 01/12/2026" in form
    page.go_back()
    page.wait_for_selector(BANNER)
    page.click(f"{BANNER} [data-pop-dismiss]")  # hidden, and stays hidden on the next pages
    assert page.locator(BANNER).count() == 0
    page.goto("/calls/")
    page.wait_for_timeout(1500)
    assert page.locator(BANNER).count() == 0


@pytest.fixture
def two_servers(app, tmp_path):
    config = settings(app) | {"FIXED_NOW": OPEN, "IVR_NUMBERS": {EVICTION_NUMBER: "prevention_expulsion"}}
    servers = [Server(config, tmp_path / f"server{i}") for i in (1, 2)]
    yield servers
    for one in servers:
        one.stop()


def test_the_banner_crosses_from_one_app_server_to_another(app, browser, two_servers, on_duty):  # noqa: F811
    voice, pages = two_servers  # Twilio reaches the first; the jurist's browser the second

    def post(path, **params):
        params = {"AccountSid": "AC" + "0" * 32, **params}
        signature = sign(voice.url + path, params, TOKEN)
        return requests.post(voice.url + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)

    followed(app, "Famille Lefebvre", CALLER, acts={"audience": date(2027, 3, 12)})
    context = browser.new_context(base_url=pages.url, locale="fr-FR", viewport={"width": 1366, "height": 900})
    jurist_page = context.new_page()
    try:
        log_in(jurist_page, on_duty["claire"], start="/")
        jurist_page.wait_for_url("**/")
        seconds, text = banner_time(jurist_page, lambda: ring_through(post))
        assert seconds < WITHIN, f"the banner took {seconds:.2f} s"
        assert "Famille Lefebvre" in text and "Audience : vendredi 12/03/2027" in text
    finally:
        context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_live_pages_pass_axe_and_fit_the_screen(app, browser, server, twilio, on_duty, make_user, width):  # noqa: F811
    followed(app, "Famille Lefebvre", CALLER, acts={"audience": date(2027, 3, 12)})
    missed(app, "CA30000001", "+33600000009", NOW - timedelta(days=1))
    missed(app, "CA30000002", CALLER, NOW - timedelta(days=2))
    ring_through(twilio)
    manager = make_user("manager")
    problems = []
    for who, paths in ((on_duty["claire"], ["/", "/calls/", "/calls/line"]), (manager, ["/calls/", "/calls/line"])):
        context = browser.new_context(base_url=server, locale="fr-FR", viewport={"width": width, "height": 900})
        page = context.new_page()  # noqa: F811
        log_in(page, who, start="/")
        page.wait_for_url("**/")
        for path in paths:
            page.goto(path)
            if who.role == "jurist":
                page.wait_for_selector(BANNER)
            if path == "/calls/" and who.role == "jurist":
                page.click("details.actions summary")  # the row's menu, open
            page.wait_for_timeout(300)
            problems += serious_violations(page) + too_wide(page)
        context.close()
    assert problems == []


def test_an_unknown_number_is_attached_from_the_banner(app, page, twilio, on_duty):
    household = followed(app, "Famille Caron", "+33699887766")
    log_in(page, on_duty["claire"], start="/")
    page.wait_for_url("**/")
    ring_through(twilio)
    page.wait_for_selector(BANNER)
    assert "Numéro inconnu" in page.inner_text(BANNER)
    page.fill(f"{BANNER} input[name=q]", "Caron")
    page.click(f"{BANNER} form button[type=submit]")
    page.click("text=Rattacher à Famille Caron")
    page.wait_for_url(f"**/households/{household}")
    assert "Numéro rattaché au ménage Famille Caron." in page.inner_text(".flash-success")
    page.wait_for_selector(f"{BANNER} >> text=Famille Caron", timeout=3000)
