"""Property: whatever date, time or instant is typed in any form (year 1, 9999, the far future, 30 February,
garbage), the answer is never a 500. A form page answers with the record saved, every date of it
within its rule of hotline.core.date_bounds, or with the form again, a French message at the field and what
was typed kept. The one-button forms (cancel or restore a permanence's date) say why in a message.
The filters read from the query string (consultations, agenda, reports) answer a page.

Each example opens the form (GET) and posts it back with its date fields changed, as a browser would.
In tests an exception propagates, so a 500 fails the example."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlencode

import pytest
from conftest import PASSWORD, csrf_token
from html_forms import opened
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from test_consultations import form_data

from hotline.cases.services import act_date_problem
from hotline.core import date_bounds
from hotline.core.opening import Closure, OpeningHours
from hotline.extensions import db
from hotline.permanences import duty
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift, Permanence

NOW = "2026-12-01T08:00"  # a Tuesday, Paris time
TODAY = date(2026, 12, 1)
ODD_DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "1989-12-31",
    "1990-01-01",
    "2026-12-01",
    "2026-12-02",
    "2028-12-01",
    "2028-12-02",
    "2126-12-01",
    "31/12/2026",
    "2026-12-1",
    " 2026-12-01",
    "２０２６-１２-０１",
    "2026-12-01T10:00",
    "-2026-12-01",
    "+12026-12-01",
    "9" * 5000,
    "",
    "\x00",
    "demain",
]
ODD_INSTANTS = [
    "9999-12-31T23:59",
    "9999-12-31T10:00",
    "0001-01-01T00:00",
    "0001-01-01T00:30",
    "2026-02-30T10:00",
    "2026-12-01T07:59",
    "2026-12-02T10:00",
    "2027-11-30T10:00",
    "2027-12-01T08:00",
    "2027-12-01T08:30",
    "2027-12-02T10:00",
    "2026-12-02T25:00",
    "2026-12-02",
    "10:00",
    "9" * 5000,
    "",
    "\x00",
]
ODD_TIMES = ["00:00", "09:00", "9:00", "12:00", "23:59", "24:00", "25:61", "-1:00", "09:00:00", "12h", "", "\x00"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
DATES = st.one_of(
    st.sampled_from(ODD_DATES),
    st.dates().map(date.isoformat),
    st.dates(date(1989, 1, 1), date(2029, 12, 31)).map(date.isoformat),
    TEXT,
)
INSTANTS = st.one_of(
    st.sampled_from(ODD_INSTANTS),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.datetimes(datetime(2026, 11, 1), datetime(2028, 1, 31)).map(
        lambda d: d.replace(minute=d.minute // 15 * 15).isoformat(timespec="minutes")
    ),
    TEXT,
)
TIMES = st.one_of(st.sampled_from(ODD_TIMES), st.times().map(lambda t: t.isoformat(timespec="minutes")), TEXT)


def _strategy(name: str):
    if name == "office_at":
        return INSTANTS
    if name.endswith(("time", "starts", "ends", "opens", "closes")):
        return TIMES
    return DATES


@dataclass(frozen=True)
class Page:
    """A form page: who opens it, where, the fields it dates, what else makes it valid."""

    name: str
    role: str
    url: str  # formatted with the world's ids
    dated: tuple[str, ...]
    valid: tuple[tuple[str, object], ...] = ()

    def strategy(self):
        return st.fixed_dictionaries({}, optional={name: _strategy(name) for name in self.dated}).filter(bool)


PLACE = (
    ("place_id", ""),
    ("name", "Mairie de Liévin"),
    ("address", "1 place Gambetta"),
    ("commune", "Liévin"),
    ("mission", "info_logement"),
    ("frequency", "weekly"),
    ("weekday", "3"),
    ("starts", "14:00"),
    ("ends", "16:00"),
    ("first_day", "2026-12-03"),
    ("active", "y"),
)
PAGES = [
    Page("consultation", "jurist", "/consultations/new", ("date", "time")),
    Page("consultation edited", "jurist", "/consultations/{consultation}/edit", ("date", "time")),
    Page(
        "consultation's case",
        "jurist",
        "/consultations/new",
        ("lease_signed_on", "act_commandement_payer", "act_audience", "act_jugement_delais", "act_fsl_demande"),
    ),
    Page(
        "activity",
        "jurist",
        "/activities/",
        ("date",),
        (
            ("mission", "info_logement"),
            ("activity_type", "ccapex"),
            ("territory", "lens-henin"),
            ("title", "CCAPEX de Lens"),
        ),
    ),
    Page(
        "office appointment",
        "jurist",
        "/appointments/new?household={household}&office=1",
        ("office_at",),
        (("mission", "info_logement"),),
    ),
    Page("permanence", "admin", "/permanences/new", ("first_day", "last_day", "starts", "ends"), PLACE),
    Page("permanence edited", "admin", "/permanences/{permanence}/edit", ("first_day", "last_day", "starts", "ends")),
    Page(
        "duty series",
        "admin",
        "/permanences/duty/new",
        ("valid_from", "valid_until", "starts", "ends"),
        (
            ("user_id", "{jurist}"),
            ("mission", "prevention_expulsion"),
            ("weekdays", ["4"]),
            ("starts", "09:00"),
            ("ends", "12:00"),
        ),
    ),
    Page(
        "duty series edited",
        "admin",
        "/permanences/duty/{series}/edit",
        ("valid_from", "valid_until", "starts", "ends"),
    ),
    Page(
        "opening hours",
        "admin",
        "/admin/hours/",
        ("h-opens", "h-closes"),
        (("h-mission", "info_logement"), ("h-weekday", "5"), ("h-opens", "09:00"), ("h-closes", "12:00")),
    ),
    Page(
        "closure",
        "admin",
        "/admin/hours/",
        ("c-starts_on", "c-ends_on"),
        (("c-reason", "Inventaire"), ("c-starts_on", "2026-12-21"), ("c-ends_on", "2026-12-22")),
    ),
]
CONSULTED = date(2026, 11, 20)  # form_data's consultation date


def _act_rule(code: str):
    """The case's own rule (hotline.cases.services.act_date_problem), seen from the consultation's date."""
    return lambda day, _today: act_date_problem(code, day, CONSULTED)


# The rule each saved date must have passed (the instant of an appointment is read as the form reads it).
RULES = {
    "lease_signed_on": lambda day, _today: None if date(1950, 1, 1) <= day <= CONSULTED else "hors bornes",
    **{f"act_{code}": _act_rule(code) for code in ("commandement_payer", "audience", "jugement_delais", "fsl_demande")},
    "date": date_bounds.consultation_day,
    "first_day": date_bounds.planning_day,
    "last_day": date_bounds.planning_day,
    "valid_from": date_bounds.planning_day,
    "valid_until": date_bounds.planning_day,
    "c-starts_on": date_bounds.planning_day,
    "c-ends_on": date_bounds.planning_day,
}


@pytest.fixture
def world(app, make_user, make_household, make_consultation):
    """Julie (a jurist of both missions, in Lens) with a household, a consultation, a permanence on
    Tuesdays and a duty series from next Monday; an administrator; the clock on 1 December 2026."""
    app.config["FIXED_NOW"] = NOW
    julie = make_user("jurist", territories=("lens-henin",), phone="+33612345678", name="Julie Juriste")
    admin = make_user("admin", name="Ada Admin")
    manager = make_user("manager", name="Marc Manager")
    household = make_household(
        name="Famille Martin", phone="+33611223344", commune_insee="62498", created_by_id=julie.id
    )
    consultation = make_consultation(household=household, jurist_id=julie.id, date=date(2026, 11, 20))
    with app.app_context():
        permanence = permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="17 bis place Jean Jaurès",
            mission="info_logement",
            user_id=julie.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 11, 3),
            last_day=None,
            active=True,
        )
        series = duty.save(
            None,
            user_id=julie.id,
            mission="prevention_expulsion",
            territory_code="lens-henin",
            weekdays=[0],
            starts=time(14),
            ends=time(17),
            valid_from=date(2026, 12, 7),
            today=TODAY,
        )
        db.session.commit()
        ids = {"permanence": permanence.id, "series": series.id}
    clients = {"jurist": app.test_client(), "admin": app.test_client(), "manager": app.test_client()}
    for role, user in (("jurist", julie), ("admin", admin), ("manager", manager)):
        client = clients[role]
        token = csrf_token(client, "/login")
        assert (
            client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code
            == 302
        )
    return {"clients": clients, "jurist": julie.id, "household": household.id, "consultation": consultation.id, **ids}


def _forget_what_new_forms_saved(app, world) -> None:
    """So that each example of a new series, permanence, closure or opening hour may be saved, rather than
    refused as overlapping what an earlier example saved."""
    with app.app_context():
        db.session.execute(delete(DutyShift).where(DutyShift.id != world["series"]))
        db.session.execute(delete(Permanence).where(Permanence.id != world["permanence"]))
        db.session.execute(delete(Closure))
        db.session.execute(delete(OpeningHours).where(OpeningHours.weekday == 5))
        db.session.commit()


def _typed_back(page: str, value: str) -> bool:
    return value in page or value.strip() in page


def _parsed(name: str, value: str):
    if name == "office_at":
        return datetime.strptime(value, "%Y-%m-%dT%H:%M")
    return datetime.strptime(value, "%Y-%m-%d").date()


@pytest.mark.parametrize("form", PAGES, ids=[p.name for p in PAGES])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_typed_date_is_saved_within_its_bounds_or_refused_at_its_field(world, form, data):
    client = world["clients"][form.role]
    url = form.url.format(**world)
    typed = data.draw(form.strategy(), label="typed")
    if "edited" not in form.name:
        _forget_what_new_forms_saved(client.application, world)
    if form.name in ("consultation", "consultation's case"):
        posted = form_data(client)
    else:
        posted = opened(client, url, form.dated[0])
    posted |= {name: value.format(**world) if isinstance(value, str) else value for name, value in form.valid}
    posted |= typed
    response = client.post(url, data=posted)
    assert response.status_code in (200, 302), response.status_code
    event("saved" if response.status_code == 302 else "refused")
    if response.status_code == 302:
        for name, value in typed.items():
            if name in RULES and value.strip():
                assert RULES[name](_parsed(name, value), TODAY) is None, (name, value)
            elif name == "office_at":
                assert date_bounds.appointment_start(_parsed(name, value), datetime.fromisoformat(NOW)) is None
        return
    page = html.unescape(response.get_data(as_text=True))
    assert 'class="error"' in page or "flash-error" in page, "refused without a word"
    for name, value in typed.items():
        assert _typed_back(page, value), (name, value[:50])


@pytest.mark.parametrize("action", ["cancel", "restore"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=DATES)
def test_a_date_of_a_permanence_cancelled_or_restored_is_never_a_500(world, action, day):
    client = world["clients"]["jurist"]
    token = csrf_token(client, "/permanences/")
    response = client.post(
        f"/permanences/{world['permanence']}/{action}",
        data={"csrf_token": token, "day": day, "reason": "Juriste malade"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "flash-error" in page or "flash-success" in page, "no word of what happened"


FILTERS = [
    ("/consultations/", ("date_from", "date_to"), "jurist"),
    ("/agenda/", ("day", "week"), "jurist"),
    ("/reports/", ("from", "to"), "manager"),
]


@pytest.mark.parametrize("url, names, role", FILTERS, ids=[f[0] for f in FILTERS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_date_in_a_filter_is_never_a_500(world, url, names, role, data):
    months = st.one_of(DATES, DATES.map(lambda text: text[:7]))
    query = data.draw(st.fixed_dictionaries({}, optional={n: months if url == "/reports/" else DATES for n in names}))
    response = world["clients"][role].get(f"{url}?{urlencode(query)}")
    assert response.status_code == 200, response.status_code
