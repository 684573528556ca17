"""Pages a person reads: durations, phone numbers, communes as the French write them; the current page
marked in the menu; an error summary after a validation error."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_token

from hotline.extensions import db
from hotline.ivr.models import Call

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def menu_links(html: str) -> dict[str, bool]:
    """Main menu: link text -> whether it is marked as the current page."""
    nav = html.split('aria-label="Navigation principale"')[1].split("</ul>")[0]
    return {text.strip(): 'aria-current="page"' in attrs for attrs, text in re.findall(r"<a([^>]*)>([^<]+)</a>", nav)}


@pytest.fixture
def answered_call(app, jurist):
    with app.app_context():
        call = Call(
            call_sid="CA-long",
            from_number="+33612345678",
            mission="prevention_expulsion",
            territory_code="lens-henin",
            started_at=STARTED,
            answered_at=STARTED + timedelta(seconds=65),
            ended_at=STARTED + timedelta(seconds=65 + 1317),
            answered_by_id=jurist.id,
            wait_seconds=65,
            talk_seconds=1317,
            outcome="answered",
        )
        db.session.add(call)
        db.session.commit()


def test_calls_page_says_durations_and_numbers_as_the_french_do(client, login, jurist, answered_call):
    login(jurist)
    html = client.get("/calls/").get_data(as_text=True)
    recent = html.split('id="recent-title"')[1]
    assert re.search(r"<td[^>]*>1 min 05 s</td><td[^>]*>21 min 57 s</td>", recent)  # cells named for phones
    assert "1317 s" not in html
    assert '<a href="tel:+33612345678">06 12 34 56 78</a>' in recent


def test_managers_see_a_masked_number(client, login, make_user, answered_call):
    login(make_user("manager"))
    html = client.get("/calls/").get_data(as_text=True)
    assert "+33612345678" not in html and "06 12 34 56 78" not in html


def test_a_commune_reads_as_its_name_and_postal_code(client, login, jurist, make_consultation):
    consultation = make_consultation(commune_insee="62160", territory_code="boulonnais", jurist_id=jurist.id)
    login(jurist)
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "<dd>Boulogne-sur-Mer (62200)</dd>" in html
    assert "62160" not in html.split("<main")[1]


def test_the_admin_list_of_accounts_shows_phones_as_the_french_do(client, login, make_user):
    make_user("jurist", phone="+33612345678", name="Julie Téléphone")
    login(make_user("admin"))
    html = client.get("/admin/users/").get_data(as_text=True)
    assert '<td><span class="nowrap">06 12 34 56 78</span></td>' in html  # on one line


@pytest.mark.parametrize(
    "path, current",
    [
        ("/consultations/", "Consultations"),
        ("/consultations/new", "Nouvelle consultation"),
        ("/households/", "Ménages"),
        ("/calls/", "Appels"),
        ("/appointments/", "Rendez-vous"),
        ("/permanences/", "Permanences"),
        ("/activities/", "Activités"),
    ],
)
def test_the_menu_marks_the_current_page(client, login, jurist, path, current):
    login(jurist)
    links = menu_links(client.get(path).get_data(as_text=True))
    assert [text for text, marked in links.items() if marked] == [current]


def test_a_page_below_a_menu_entry_marks_it(client, login, jurist, make_consultation):
    consultation = make_consultation(jurist_id=jurist.id)
    login(jurist)
    links = menu_links(client.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    assert [text for text, marked in links.items() if marked] == ["Consultations"]
    home = client.get("/").get_data(as_text=True)
    assert not any(menu_links(home).values())
    assert re.search(r'class="brand" href="/" aria-current="page"', home)


def test_a_manager_and_an_admin_menu_mark_their_page(client, login, make_user):
    login(make_user("manager"))
    assert [t for t, m in menu_links(client.get("/reports/").get_data(as_text=True)).items() if m] == ["Rapports"]
    assert [t for t, m in menu_links(client.get("/consultations/import").get_data(as_text=True)).items() if m] == [
        "Import"
    ]


def test_admin_menu_marks_its_page(client, login, make_user):
    login(make_user("admin"))
    assert [t for t, m in menu_links(client.get("/admin/roster/").get_data(as_text=True)).items() if m] == ["Gardes"]
    assert [t for t, m in menu_links(client.get("/admin/users/new").get_data(as_text=True)).items() if m] == ["Comptes"]


def test_a_validation_error_opens_an_error_summary_linking_to_each_field(client, login, jurist):
    login(jurist)
    token = csrf_token(client, "/activities/")
    response = client.post(
        "/activities/",
        data={"csrf_token": token, "date": "pas une date", "mission": "", "activity_type": "", "title": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    targets = re.findall(r'<a href="#([^"]+)" data-field="\1">', summary)
    assert "date" in targets and "title" in targets
    for target in targets:
        assert f'id="{target}"' in html  # each link leads to its field
    assert 'value="pas une date"' in html  # what was typed is kept
