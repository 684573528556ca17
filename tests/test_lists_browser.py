"""The "Ménages" and "Activités" lists in Debian's chromium at a phone's 390 px: the filters stack inside the
screen, each drop-down the form's width, the mission's choices whole and no field's name cut; at 1366 and
390 px, junk filters and a page beyond the last are said, what was typed kept, axe clean."""

from __future__ import annotations

import os

import pytest
from test_activities_list import activities  # noqa: F401 (a fixture)
from test_agenda_browser import new_page, serious_violations, shoot
from test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (fixtures)
from test_households_list import households  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

# Each field of a filter form: its right edge, its drop-down's width against the form's and against the width
# its longest choice needs (measured on a copy without width limits), and whether its name is cut.
FIELDS = """form => [...form.querySelectorAll('.field')].filter(f => f.querySelector('select, input')).map(f => {
  const input = f.querySelector('select, input'), label = f.querySelector('label');
  let needed = 0;
  if (input.tagName === 'SELECT') {
    const copy = input.cloneNode(true); copy.style.cssText = 'position:absolute;max-width:none;width:auto;min-width:0';
    document.body.appendChild(copy); needed = copy.offsetWidth; copy.remove();
  }
  return {id: input.id, right: input.getBoundingClientRect().right, width: input.offsetWidth, needed,
    form: form.clientWidth, labelCut: label.scrollWidth > label.clientWidth + 1};
})"""


def look_at_filters(page, path: str, form: str) -> list[dict]:
    page.goto(path)
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), path
    assert serious_violations(page) == [], path
    return page.locator(form).evaluate(FIELDS)


@pytest.mark.usefixtures("households", "activities")
def test_the_filters_fit_a_phone(app, browser, server, make_user):  # noqa: F811
    context, page = new_page(browser, server, 390, 844)
    try:
        log_in(page, make_user("manager"), "/households/")
        page.wait_for_url("**/households/")
        for path, form in (
            ("/households/?mission=prevention_expulsion", "#household-filters"),
            ("/activities/?f-mission=prevention_expulsion", "#activity-filters"),
        ):
            fields = look_at_filters(page, path, form)
            shoot(page, form.strip("#") + "-390")
            assert fields and all(f["right"] <= 390 for f in fields), (path, fields)
            assert [f["id"] for f in fields if f["labelCut"]] == [], path
            selects = [f for f in fields if f["needed"]]
            assert all(f["width"] >= f["form"] - 20 for f in selects), (path, selects)  # the form's width
            mission = next(f for f in selects if f["id"].endswith("mission"))
            assert mission["needed"] <= mission["width"], (path, mission)  # "Prévention des expulsions locatives"
            assert "Prévention des expulsions locatives" in page.locator(f"{form} select[id$=mission]").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.usefixtures("households", "activities")
def test_junk_filters_are_said_and_what_was_typed_kept(app, browser, server, make_user, width):  # noqa: F811
    context, page = new_page(browser, server, width, 900)
    try:
        log_in(page, make_user("manager"), "/households/")
        page.wait_for_url("**/households/")
        look_at_filters(page, "/households/?territory=nulle-part&stage=audience&page=9", "#household-filters")
        notes = page.locator(".list-note").all_inner_texts()
        assert notes == [
            "Territoire : choix inconnu, filtre ignoré.",
            "La page 9 n'existe pas : la liste tient en une page, la voici.",
        ]
        assert page.input_value("#f-stage") == "audience"
        shoot(page, f"households-junk-{width}")
        look_at_filters(page, "/activities/?f-date_from=2026-09-15&f-date_to=2026-09-01&page=9", "#activity-filters")
        assert page.inner_text("#f-date_to-err") == "La date de fin précède la date de début : filtre ignoré."
        assert page.input_value("#f-date_to") == "2026-09-01" and page.input_value("#f-date_from") == "2026-09-15"
        assert page.locator(".list-note").inner_text() == "La page 9 n'existe pas : voici la dernière, la page 2."
        shoot(page, f"activities-junk-{width}")
    finally:
        context.close()
