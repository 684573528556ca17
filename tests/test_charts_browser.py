"""The reports' charts read as drawn: at 1366 px at about their drawn size, their text as large as the page's; on a
phone (390 px) the table that follows each chart instead of a drawing too small to read."""

from datetime import date

import pytest
from conftest import PASSWORD
from test_browser import ARGS, CHROMIUM, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_charts_at_desktop_width_and_tables_on_a_phone(
    app,
    browser,
    server,
    make_user,
    make_consultation,
    monkeypatch,
    width,  # noqa: F811
):
    monkeypatch.setitem(app.config, "FIXED_NOW", "2026-06-01T10:00")
    manager = make_user("manager")
    for day in (date(2026, 3, 3), date(2026, 4, 8)):
        make_consultation(date=day, mission="prevention_expulsion")
    context = browser.new_context(base_url=server, locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=email]", manager.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto("/reports/?from=2026-03&to=2026-04&mission=prevention_expulsion")
        first = page.locator("figure.chart").first
        table = page.locator("table").first
        assert table.is_visible()
        if width == 390:
            assert page.locator("figure.chart").count() > 0 and not first.is_visible()
        else:
            image = first.locator("img")
            image.evaluate("i => i.decode()")
            drawn = image.evaluate("i => [i.complete, i.naturalWidth, i.getBoundingClientRect().width]")
            assert drawn[0] and drawn[1] > 0 and 600 <= drawn[2] <= 760
    finally:
        context.close()
