"""The day's pages looked at in Debian's chromium with the demo data, as a jurist, a manager and an
administrator, at 1366 and 390 px: the agenda's week is a time grid (each entry at its minute, no line
wrapped, slots inside their column), "Ménages" and "Activités" are paginated lists with filters, the
account form and the refusal page; on every page axe finds nothing serious, nothing is wider than the
screen, no drop-down cuts its choice, phone numbers and times stay on one line, and the current page's
button does not look focused."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest
from test_agenda_browser import serious_violations
from test_browser import CHROMIUM, browser, server  # noqa: F401 (browser, server: fixtures)

from hotline.core import clock

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
WIDTHS = (1366, 390)
PAGES = {
    "juriste1@demo.example.org": ["/agenda/", "/agenda/?day={monday}", "/households/", "/activities/"],
    "responsable@demo.example.org": ["/agenda/", "/households/?deadline=tout", "/activities/?f-mission=info_logement"],
    "admin@demo.example.org": ["/admin/users/new", "/households/"],
}


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"(\S+@demo\.example\.org)\s+(\S+)", result.output))


# Drop-downs narrower than their chosen text (measured against a copy without width limits), elements
# cut, lines of the time grid that wrap, and no-wrap values on two lines.
CUT_SELECTS = """() => [...document.querySelectorAll('main select')].filter(s => s.offsetParent).filter(s => {
  const copy = s.cloneNode(true); copy.style.cssText = 'position:absolute;max-width:none;width:auto;min-width:0';
  document.body.appendChild(copy); const needed = copy.offsetWidth; copy.remove();
  return s.offsetWidth + 1 < needed && s.offsetWidth + 1 < s.parentElement.clientWidth;
}).map(s => s.id)"""
WRAPPED = """() => [...document.querySelectorAll('main .nowrap, main a[href^="tel:"], #agenda-grid .line')]
  .filter(e => e.offsetParent && new Set([...e.getClientRects()].map(r => Math.round(r.top))).size > 1
    || getComputedStyle(e).whiteSpace !== 'nowrap')
  .map(e => e.textContent.trim())"""
# Each entry of the grid: its top against its day's body, in hours from the grid's first hour, and the
# time its text gives.
ENTRIES = """() => { const hours = [...document.querySelectorAll('#agenda-grid .hour')];
  const first = parseInt(hours[0].textContent), body = document.querySelector('.day-body');
  const hour = (body.getBoundingClientRect().height) / (hours.length - 1);
  return [...document.querySelectorAll('#agenda-grid .entries .entry')].filter(e => e.offsetParent).map(e => {
    const top = e.getBoundingClientRect().top - e.closest('.day-body').getBoundingClientRect().top;
    const [h, m] = e.querySelector('.line strong').textContent.trim().slice(0, 5).split(':').map(Number);
    return [first + top / hour, Math.max(h + m / 60, first)];
  }); }"""
SLOTS_OUTSIDE = """() => [...document.querySelectorAll('#agenda-grid .slot')].filter(s => s.offsetParent).filter(s => {
  const slot = s.getBoundingClientRect(), day = s.closest('li.day').getBoundingClientRect();
  const entry = s.closest('.entry').getBoundingClientRect();
  return slot.left < day.left - 1 || slot.right > day.right + 1
    || slot.top < entry.top - 1 || slot.bottom > entry.bottom + 1;
}).map(s => s.textContent.trim())"""


def look_at(page, path: str, width: int) -> None:
    page.goto(path)
    where = f"{path} at {width} px"
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), where
    assert serious_violations(page) == [], where
    assert page.evaluate(WRAPPED) == [], where
    if width > 1000:
        assert page.evaluate(CUT_SELECTS) == [], where
    if path.startswith("/agenda/"):
        for top, starts in page.evaluate(ENTRIES):
            assert abs(top - starts) < 0.02, (where, top, starts)  # at its minute: a minute is 1/60 of an hour
        assert page.evaluate(SLOTS_OUTSIDE) == [], where
        labels = page.locator("#agenda-grid .hour").all_inner_texts()
        assert labels == [f"{h:02d}:00" for h in range(int(labels[0][:2]), int(labels[-1][:2]) + 1)]
        assert labels[-1] == "17:00", where


def test_the_days_pages_as_each_role_at_1366_and_390_px(app, browser, server, demo):  # noqa: F811
    with app.app_context():
        today = clock.local_today()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7 if today.weekday() >= 5 else 0)
    for email, paths in PAGES.items():
        for width in WIDTHS:
            context = browser.new_context(base_url=server, locale="fr-FR", viewport={"width": width, "height": 900})
            page = context.new_page()
            try:
                page.goto("/login")
                page.fill("input[name=email]", email)
                page.fill("input[name=password]", demo[email])
                page.click("main button[type=submit]")
                page.wait_for_url(lambda url: "/login" not in url)
                for path in paths:
                    look_at(page, path.format(monday=monday.isoformat()), width)
            finally:
                context.close()


def test_lists_errors_and_refusals_in_the_browser(app, browser, server, demo):  # noqa: F811
    context = browser.new_context(base_url=server, locale="fr-FR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=email]", "juriste1@demo.example.org")
        page.fill("input[name=password]", demo["juriste1@demo.example.org"])
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        # The week opens on this week, or on the next one on a weekend.
        page.goto("/agenda/")
        shown = date.fromisoformat(page.input_value("#week"))
        with app.app_context():
            today = clock.local_today()
        assert shown.weekday() == 0 and (shown <= today < shown + timedelta(days=5) or today.weekday() >= 4)
        # "Ménages": 25 a page, recent first, a filter kept in the pager.
        page.goto("/households/")
        assert page.locator("#households tbody tr").count() == 25
        page.select_option("#f-territory", "boulonnais")
        page.click("#household-filters button[type=submit]")
        page.wait_for_url("**territory=boulonnais**")
        territories = page.locator("#households tbody td[data-label=Territoire]").all_inner_texts()
        assert territories and set(territories) == {"Boulonnais"}
        # "Activités": paginated, filtered.
        page.goto("/activities/")
        assert page.locator("#activities tbody tr").count() == 25
        assert re.search(r"Page 1 sur \d+", page.inner_text("main"))
        # The current page's button: a bar, not the focus ring.
        page.goto("/consultations/new")
        button = page.locator("header a.button[aria-current=page]")
        style = button.evaluate("b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).boxShadow]")
        assert style[0] == "none" and style[1] != "none"
        # A page not for her role: the refusal says so.
        page.goto("/admin/users/")
        assert "n'est pas ouverte à votre rôle (juriste)" in page.inner_text("main")
    finally:
        context.close()
