"""One rule per kind of date (hotline.core.date_bounds), the same at the form's field and in the import; the
breaks of issue 16: an office appointment at 9999-12-31T23:59 was a 500, at 9999-12-31T10:00 it was
booked and its SMS queued; no date had an upper bound."""

import html
from datetime import date, datetime, time

import pytest
from conftest import csrf_token
from sqlalchemy import func, select
from test_import import HEADER, run

from hotline.appointments.models import Appointment
from hotline.consultations.models import Consultation
from hotline.core import date_bounds
from hotline.core.opening import Closure
from hotline.extensions import db
from hotline.permanences.models import DutyShift, Permanence
from hotline.sms.models import SmsMessage

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 8, 0)


@pytest.mark.parametrize(
    "rule, day, refused",
    [
        (date_bounds.consultation_day, date(2026, 12, 1), None),
        (date_bounds.consultation_day, date(2026, 12, 2), "dans le futur"),
        (date_bounds.consultation_day, date(1990, 1, 1), None),
        (date_bounds.consultation_day, date(1989, 12, 31), "trop ancienne"),
        (date_bounds.consultation_day, date(1, 1, 1), "trop ancienne"),
        (date_bounds.consultation_day, date(9999, 12, 31), "dans le futur"),
        (date_bounds.planning_day, date(1990, 1, 1), None),
        (date_bounds.planning_day, date(1989, 12, 31), "trop ancienne"),
        (date_bounds.planning_day, date(2028, 12, 1), None),
        (date_bounds.planning_day, date(2028, 12, 2), "jusqu'au 01/12/2028"),
        (date_bounds.planning_day, date(9999, 12, 31), "trop lointaine"),
    ],
)
def test_day_rules(rule, day, refused):
    message = rule(day, TODAY)
    assert (message is None) if refused is None else (refused in message)


def test_planning_two_years_from_29_february():
    assert date_bounds.latest_planning_day(date(2028, 2, 29)) == date(2030, 2, 28)


@pytest.mark.parametrize(
    "starts, refused",
    [
        (datetime(2026, 12, 1, 8, 0), "déjà passé"),
        (datetime(2026, 12, 1, 8, 1), None),
        (datetime(2027, 12, 1, 8, 0), None),
        (datetime(2027, 12, 1, 8, 1), "au plus tard le 01/12/2027"),
        (datetime(9999, 12, 31, 23, 59), "douze mois"),
        (datetime(1, 1, 1, 0, 0), "déjà passé"),
    ],
)
def test_appointment_rule(starts, refused):
    message = date_bounds.appointment_start(starts, NOW)
    assert (message is None) if refused is None else (refused in message)


@pytest.fixture
def office(app, client, make_user, make_household, login):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    julie = make_user("jurist", name="Julie Juriste", phone="+33612345678")
    household = make_household(
        name="Famille Martin", phone="+33611223344", commune_insee="62498", created_by_id=julie.id
    )
    login(julie)
    url = f"/appointments/new?household={household.id}&office=1"
    return {
        "url": url,
        "data": {
            "csrf_token": csrf_token(client, url),
            "mission": "info_logement",
            "jurist_id": str(julie.id),
            "sms_reminder": "y",
        },
    }


def booked(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Appointment)),
            db.session.scalar(select(func.count()).select_from(SmsMessage)),
        )


@pytest.mark.parametrize("typed", ["9999-12-31T23:59", "9999-12-31T10:00", "2027-12-02T10:00"])
def test_an_office_appointment_past_twelve_months_is_refused_at_its_field(app, client, office, typed):
    """Issue 16: 23:59 on 31 December 9999 was a 500 (OverflowError), 10:00 that day was booked and its
    SMS queued; 2 December 2027 (a Thursday, open) is more than twelve months ahead."""
    response = client.post(office["url"], data=office["data"] | {"office_at": typed})
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert (
        '<p class="error" id="office_at-err">Un rendez-vous se prend dans les douze mois : au plus tard le '
        "01/12/2027.</p>" in page
    )
    assert f'value="{typed}"' in page
    assert booked(app) == (0, 0)


def test_an_office_appointment_within_twelve_months_and_the_hours_is_booked(app, client, office):
    response = client.post(office["url"], data=office["data"] | {"office_at": "2027-11-30T10:00"})
    assert response.status_code == 302
    assert booked(app) == (1, 1)


def test_a_consultation_before_1990_is_refused_at_its_field_and_in_the_import(app, client, jurist, login):
    from test_consultations import form_data

    login(jurist)
    response = client.post("/consultations/new", data=form_data(client, date="1989-12-31"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert (
        '<p class="error" id="date-err">Date trop ancienne : vérifiez l\'année (au plus tôt le 01/01/1990).</p>' in page
        and 'value="1989-12-31"' in page
    )
    result = run(
        app,
        "\n".join(
            [
                HEADER,
                "A1;1989-12-31;info_logement;telephone;62498;;;;;;0;;",
                "A2;2026-11-29;info_logement;telephone;62498;;;;;;0;;",
            ]
        ),
    )
    assert [str(p) for p in result.problems] == [
        "ligne 2, colonne « date » : date trop ancienne : vérifiez l'année (au plus tôt le 01/01/1990).",
        "ligne 3, colonne « date » : la date ne peut pas être dans le futur.",
    ]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


@pytest.fixture
def admin(client, make_user, login):
    login(make_user("admin"))
    return client


def test_planning_dates_are_bounded_at_their_fields(app, admin, make_user):
    """A permanence from 9999, a duty series until 2126, a closure in year 1: each refused at its field,
    the typed date kept, nothing written (all three were saved, or a 500, before)."""
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    jurist = make_user("jurist", phone="+33612345678")
    permanence = {
        "csrf_token": csrf_token(admin, "/permanences/new"),
        "place_id": "",
        "name": "Mairie de Lens",
        "address": "17 bis place Jean Jaurès",
        "commune": "Lens",
        "mission": "info_logement",
        "user_id": str(jurist.id),
        "frequency": "weekly",
        "weekday": "1",
        "starts": "09:00",
        "ends": "12:00",
        "first_day": "9999-12-31",
        "active": "y",
    }
    series = {
        "csrf_token": permanence["csrf_token"],
        "user_id": str(jurist.id),
        "mission": "prevention_expulsion",
        "territory": "",
        "weekdays": ["0"],
        "starts": "09:00",
        "ends": "12:00",
        "valid_from": "",
        "valid_until": "2126-01-01",
    }
    closure = {
        "c-csrf_token": permanence["csrf_token"],
        "c-mission": "",
        "c-starts_on": "0001-01-01",
        "c-ends_on": "2026-12-26",
        "c-reason": "Inventaire",
    }
    for url, data, field, typed, message in [
        ("/permanences/new", permanence, "first_day", "9999-12-31", "le planning va jusqu'au 01/12/2028"),
        ("/permanences/duty/new", series, "valid_until", "2126-01-01", "le planning va jusqu'au 01/12/2028"),
        ("/admin/hours/", closure, "c-starts_on", "0001-01-01", "Date trop ancienne"),
    ]:
        response = admin.post(url, data=data)
        page = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 200, url
        assert f'<p class="error" id="{field}-err">' in page and message in page and f'value="{typed}"' in page, url
    with app.app_context():
        for model in (Permanence, DutyShift, Closure):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_cancelling_a_permanence_on_year_1_says_why(app, admin):
    """A 500 before (OverflowError storing the day); the one-button form now flashes its reason."""
    from hotline.permanences import services as permanences

    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    with app.app_context():
        pid = permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="17 bis place Jean Jaurès",
            mission="info_logement",
            user_id=None,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 11, 3),
            last_day=None,
            active=True,
        ).id
        db.session.commit()
    token = csrf_token(admin, "/permanences/")
    response = admin.post(
        f"/permanences/{pid}/cancel",
        data={"csrf_token": token, "day": "0001-01-01", "reason": "Juriste malade"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Date trop ancienne" in html.unescape(response.get_data(as_text=True))


def test_a_new_duty_series_ending_before_today_is_refused_not_a_500(app, admin, make_user):
    """Found by tests/test_properties_dates.py on PostgreSQL: no first day (today) and a last day in the past
    broke the table's check (a 500)."""
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    jurist = make_user("jurist", phone="+33612345678")
    series = {
        "csrf_token": csrf_token(admin, "/permanences/duty/new"),
        "user_id": str(jurist.id),
        "mission": "prevention_expulsion",
        "territory": "",
        "weekdays": ["0"],
        "starts": "09:00",
        "ends": "12:00",
        "valid_from": "",
        "valid_until": "2000-01-01",
    }
    response = admin.post("/permanences/duty/new", data=series)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "Le dernier jour doit suivre le premier, le 01/12/2026." in page and 'value="2000-01-01"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DutyShift)) == 0
