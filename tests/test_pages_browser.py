"""In chromium: after a validation error the focus is on the error summary, and each of its links puts the
focus in its field."""

import pytest
from test_browser import CHROMIUM, browser, log_in, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_error_summary_takes_the_focus_and_leads_to_each_field(page, jurist):
    log_in(page, jurist, start="/activities/")
    page.wait_for_url("**/activities/")
    page.fill("#title", "Réunion de la CCAPEX")
    page.fill("#date", "")
    page.click("form.grid button[type=submit]")
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = page.eval_on_selector_all("#error-summary a", "links => links.map(a => a.dataset.field)")
    assert "date" in links
    for field in links:
        page.click(f"#error-summary a[data-field='{field}']")
        assert page.evaluate("document.activeElement.id") == field
    assert page.input_value("#title") == "Réunion de la CCAPEX"  # what was typed is kept


def test_the_menu_shows_the_current_page(page, jurist):
    log_in(page, jurist, start="/calls/")
    page.wait_for_url("**/calls/")
    current = page.locator("header nav a[aria-current=page]")
    assert current.inner_text() == "Appels"
    style = current.evaluate("a => getComputedStyle(a).textDecorationThickness")
    other = page.locator("header nav a:not([aria-current])").first.evaluate(
        "a => getComputedStyle(a).textDecorationThickness"
    )
    assert style != other  # seen, not only said
