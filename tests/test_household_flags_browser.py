"""The flags' block on the household page, in Debian's chromium at 1366 and 390 px: a wrong date named at
its field, then the flag set and shown, its "Modifier" form opening with its values; axe clean and nothing
wider than the screen at each step."""

from __future__ import annotations

from datetime import date

import pytest
from test_accessibility import serious_violations, too_wide
from test_browser import browser, log_in, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_a_jurist_sets_a_flag_in_the_browser(app, page, server, jurist, make_household, make_consultation, width):
    app.config["FIXED_NOW"] = "2026-12-01T10:00"
    household = make_household(name="Famille Martin", phone="+33612345678")
    make_consultation(household=household, jurist_id=jurist.id, date=date(2026, 11, 20))
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    log_in(page, jurist, start=f"/households/{household.id}")
    page.goto(f"/households/{household.id}")
    assert page.locator("#no-flags").is_visible()
    page.click("#flag-form-sms summary")
    page.select_option("#sms-reason", "safety")
    page.fill("#sms-ends_on", "2026-11-30")
    page.click("#flag-form-sms button[type=submit]")
    error = page.locator("#sms-ends_on-err")
    assert "ne peut pas être passée" in error.inner_text()
    assert page.input_value("#sms-ends_on") == "2026-11-30" and page.input_value("#sms-reason") == "safety"
    problems = serious_violations(page) + too_wide(page)
    page.fill("#sms-ends_on", "2027-01-31")
    page.click("#flag-form-sms button[type=submit]")
    assert "jusqu'au 31/01/2027 inclus" in page.locator("#flag-sms").inner_text()
    problems += serious_violations(page) + too_wide(page)
    page.click("#flag-form-sms summary")  # "Modifier": the flag's values, to be changed
    assert page.locator("#flag-form-sms summary").inner_text() == "Modifier « Ne pas envoyer de SMS »"
    assert page.input_value("#sms-reason") == "safety" and page.input_value("#sms-ends_on") == "2027-01-31"
    assert not problems, "\n".join(problems)
