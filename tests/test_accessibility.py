"""Every page a person can reach, for each role and without login, checked with axe-core in chromium on a
laptop (1366 px) and on a phone (390 px): no serious or critical violation, and no page wider than the
screen. Pages are found by following the app's own links from the home page, so a new page is checked as
soon as a link leads to it."""

from collections import deque
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_browser import CHROMIUM, browser, log_in, page, server  # noqa: F401 (fixtures)

from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask

pytestmark = pytest.mark.browser
SKIPPED = ("/logout", "/static/", "/ivr/", "/healthz")
DOWNLOADS = (".csv", ".xlsx", ".pdf", ".ics", ".json", "export", "download")
MAX_PAGES = 60
axe = Axe()


def reachable_pages(page, start: str) -> list[str]:
    """The app's pages reachable by links from `start`, one per path (the query string is ignored)."""
    origin = urlparse(page.url)
    seen, queue, pages = set(), deque([start]), []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        path = urlparse(url).path
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(url)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        pages.append(url)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlparse(urljoin(page.url, href))
            if (
                target.netloc == origin.netloc
                and not target.path.startswith(SKIPPED)
                and not target.path.endswith(DOWNLOADS)
                and not any(d in target.path for d in DOWNLOADS[5:])
                and target.path not in seen
            ):
                queue.append(target._replace(fragment="").geturl())
    return pages


def too_wide(page) -> list[str]:
    """The page, if it is wider than the screen (it would scroll sideways)."""
    width = page.viewport_size["width"]
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    return [f"{page.url}: {scrolled} px de large pour un écran de {width} px"] if scrolled > width else []


def serious_violations(page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} élément(s)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def some_data(app, make_household, make_consultation, jurist):
    household = make_household(name="Famille Test", phone="+33612000001", commune_insee="62498")
    make_consultation(
        household=household, mission="prevention_expulsion", procedure_stage="assignation", jurist_id=jurist.id
    )
    with app.app_context():  # a call to log and a voicemail to call back: the calls page and the homes fill up
        started = datetime.now(UTC) - timedelta(hours=1)
        db.session.add(
            Call(
                call_sid="CA-a11y-answered",
                from_number="+33612000002",
                mission="prevention_expulsion",
                territory_code="lens-henin",
                started_at=started,
                answered_at=started,
                answered_by_id=jurist.id,
                ended_at=started + timedelta(seconds=1317),
                wait_seconds=12,
                talk_seconds=1317,
                outcome="answered",
            )
        )
        voicemail = Call(
            call_sid="CA-a11y-voicemail",
            from_number="+33612000003",
            mission="prevention_expulsion",
            territory_code="lens-henin",
            started_at=started,
            outcome="voicemail",
            recording_url="https://api.twilio.com/rec/RE1",
            recording_seconds=42,
        )
        db.session.add(voicemail)
        db.session.flush()
        db.session.add(CallbackTask(call_id=voicemail.id, kind="voicemail"))
        db.session.commit()
    return household


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("role", ["jurist", "manager", "admin", None])
def test_every_reachable_page_passes_axe(page, server, role, width, make_user, jurist, some_data):
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    if role is None:
        page.goto(server + "/login")
    else:
        user = jurist if role == "jurist" else make_user(role)
        log_in(page, user, start="/")
    pages = reachable_pages(page, page.url)
    paths = {urlparse(url).path for url in pages}
    expected = {
        "jurist": {"/consultations/new", f"/households/{some_data.id}", "/calls/", "/appointments/"},
        "manager": {"/reports/", "/consultations/import", f"/households/{some_data.id}"},
        "admin": {"/admin/users/", "/admin/roster/", "/permanences/planning"},
        None: {"/login"},
    }[role]
    assert expected <= paths, sorted(paths)  # the crawl really walked the app
    problems = [problem for url in pages if page.goto(url) for problem in serious_violations(page) + too_wide(page)]
    assert not problems, "\n".join(problems)
