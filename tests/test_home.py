"""The homes say what to do: each role's home, read as a person reads it (the text of each section)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from hotline.appointments.models import Appointment
from hotline.auth.models import UserMission
from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.consultations.models import Household
from hotline.core.opening import OpeningHours
from hotline.extensions import db
from hotline.home.services import Figure
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift

PARIS = ZoneInfo("Europe/Paris")
NOW = "2026-11-30T08:00"  # a Monday morning


class _Sections(HTMLParser):
    """The text of each element with an id, its descendants' text included."""

    def __init__(self):
        super().__init__()
        self.open: list[str | None] = []
        self.texts: dict[str, list[str]] = {}
        self.attrs: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in ("a", "strong", "span", "time", "em", "small"):
            self.handle_data(" ")  # blocks and cells read apart
        if tag in ("br", "meta", "link", "input", "img", "hr"):
            return
        self.open.append(attrs.get("id"))
        if attrs.get("id"):
            self.texts[attrs["id"]] = []
            self.attrs[attrs["id"]] = attrs

    def handle_endtag(self, tag):
        if tag not in ("br", "meta", "link", "input", "img", "hr") and self.open:
            self.open.pop()

    def handle_data(self, data):
        for name in self.open:
            if name:
                self.texts[name].append(data)


def sections(response) -> dict[str, str]:
    assert response.status_code == 200, response.status_code
    parser = _Sections()
    parser.feed(response.get_data(as_text=True))
    return {name: re.sub(r"\s+", " ", "".join(parts)).strip() for name, parts in parser.texts.items()}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).astimezone(UTC)


MONDAY, TUESDAY = date(2026, 11, 30), date(2026, 12, 1)


@pytest.fixture
def jurist_day(app, jurist, make_user):
    """A jurist's Monday: a call to log, callbacks, appointments, a permanence, an appeal deadline."""
    app.config["FIXED_NOW"] = NOW
    colleague = make_user("jurist", name="Paul Collègue")
    with app.app_context():
        db.session.add(
            Call(
                call_sid="CA-answered",
                from_number="+33611223344",
                mission="prevention_expulsion",
                territory_code="lens-henin",
                started_at=at(MONDAY, 7, 30),
                answered_at=at(MONDAY, 7, 31),
                ended_at=at(MONDAY, 7, 45),
                answered_by_id=jurist.id,
                outcome="answered",
            )
        )
        for sid, status, claimed_by, territory in (
            ("CA-open", "open", None, "lens-henin"),
            ("CA-mine", "claimed", jurist.id, "calaisis"),
            ("CA-theirs", "claimed", colleague.id, "calaisis"),
            ("CA-done", "done", jurist.id, "lens-henin"),
        ):
            call = Call(
                call_sid=sid,
                from_number="+33622334455",
                mission="prevention_expulsion",
                territory_code=territory,
                started_at=at(MONDAY, 7),
                outcome="voicemail",
            )
            db.session.add(call)
            db.session.flush()
            db.session.add(CallbackTask(call_id=call.id, kind="voicemail", status=status, claimed_by_id=claimed_by))
        family = Household(name="Famille Rendez-vous", phone="+33633445566")
        followed = consultations.create_household(name="Famille Échéance")
        db.session.add(family)
        db.session.flush()
        for starts, status in (
            (at(MONDAY, 14), "booked"),
            (at(TUESDAY, 10, 30), "booked"),
            (at(TUESDAY, 11), "cancelled"),
            (at(date(2026, 12, 2), 9), "booked"),
            (at(date(2026, 11, 27), 9), "booked"),
        ):
            db.session.add(
                Appointment(
                    household_id=family.id,
                    mission="prevention_expulsion",
                    starts_at=starts,
                    user_id=jurist.id,
                    status=status,
                )
            )
        consultation = consultations.record_consultation(
            {
                "date": date(2026, 11, 12),
                "mission": "prevention_expulsion",
                "mode": "telephone",
                "territory_code": "lens-henin",
                "themes": ["impayes_expulsion"],
            },
            jurist.id,
            followed,
        )
        # Appeal: one month after the judgment was served on 10/11: Thursday 10/12.
        record_acts(followed, consultation, {"signification_jugement": date(2026, 11, 10)})
        permanences.save(
            None,
            commune_insee="62498",
            name="Mairie de Lens",
            address="17 bis place Jean Jaurès",
            mission="prevention_expulsion",
            user_id=jurist.id,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            starts=time(9),
            ends=time(12),
            first_day=date(2026, 11, 1),
            last_day=None,
            active=True,
            today=MONDAY,
        )
        db.session.commit()
    return jurist


def test_jurist_home_says_what_to_do(client, login, jurist_day):
    login(jurist_day)
    page = sections(client.get("/"))

    calls = page["appels"]
    assert "Appels répondus à saisir (1)" in calls and "06 11 22 33 44" in calls
    assert "Mes rappels en cours (1)" in calls and "Rappels à prendre (1)" in calls
    assert "06 22 33 44 55" in calls and "Message vocal" in calls

    appointments = page["rendez-vous"]
    assert "Aujourd’hui, lundi 30/11/2026 (1)" in appointments and "14:00 — Famille Rendez-vous" in appointments
    assert "Demain, mardi 01/12/2026 (1)" in appointments and "10:30 — Famille Rendez-vous" in appointments
    assert "11:00" not in appointments and "09:00" not in appointments  # cancelled; the day after tomorrow

    assert "jeudi 10/12/2026 — Fin du délai d'appel Famille Échéance" in page["echeances"]
    assert page["deadlines-title"].endswith("1")

    finish = page["a-terminer"]
    assert "Rendez-vous passés à clore (1)" in finish and "27/11/2026 09:00" in finish
    assert "1 appel répondu sans consultation" in finish and page["finish-title"].endswith("2")

    assert "mardi 01/12/2026 09:00–12:00 Mairie de Lens, Lens" in page["permanences"]


def test_jurist_home_when_there_is_nothing_to_do(app, client, login, jurist):
    app.config["FIXED_NOW"] = NOW
    login(jurist)
    page = sections(client.get("/"))
    assert "Aucun appel à saisir, aucun rappel en attente." in page["appels"]
    assert page["rendez-vous"].count("Aucun rendez-vous.") == 2
    assert "Aucune échéance dans les 15 prochains jours." in page["echeances"]
    assert "Rien à terminer." in page["a-terminer"]
    assert "Aucune permanence dans les deux semaines à venir." in page["permanences"]


def test_a_jurist_without_mission_is_told_so_at_home(app, client, login, make_user):
    lost = make_user("jurist")
    with app.app_context():
        db.session.execute(UserMission.__table__.delete().where(UserMission.user_id == lost.id))
        db.session.commit()
    login(lost)
    response = client.get("/")
    assert "Aucune mission attribuée" in response.get_data(as_text=True)
    assert "appels" not in sections(response)


@pytest.mark.parametrize(
    "current, previous, better, change, tone",
    [
        (24, 20, 0, "+4 (+20\u202f%)", "neutral"),
        (27, 36, 1, "−9 (−25\u202f%)", "bad"),
        (5, 5, -1, "=", "neutral"),
        (4, 0, 1, "+4", "good"),
        (0, 3, -1, "−3", "good"),  # on a base under 20, the difference alone (not "−100 %")
        (7, 4, -1, "+3", "bad"),  # more missed calls: red, though the sign is "+"
        (5, 2, 1, "+3", "good"),  # not "+150 %"
    ],
)
def test_a_key_figure_says_its_change_and_what_it_means(current, previous, better, change, tone):
    figure = Figure("Appels", current, previous, better)
    assert (figure.change, figure.tone) == (change, tone)


def test_manager_home_key_figures_callbacks_and_duty_gaps(
    app, client, login, make_user, make_consultation, make_household
):
    app.config["FIXED_NOW"] = "2026-12-15T10:00"  # November is the last complete month
    manager = make_user("manager")
    household = make_household(name="Famille Chiffres")
    for day in (date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 20)):
        make_consultation(date=day, mission="prevention_expulsion", household=household)
    make_consultation(date=date(2026, 10, 8), mission="prevention_expulsion")
    make_consultation(date=date(2026, 12, 2), mission="prevention_expulsion")
    with app.app_context():
        for sid, day, outcome in (
            ("CA1", date(2026, 11, 5), "answered"),
            ("CA2", date(2026, 11, 6), "missed"),
            ("CA3", date(2026, 10, 6), "answered"),
            ("CA4", date(2026, 10, 7), "answered"),
        ):
            db.session.add(
                Call(
                    call_sid=sid,
                    mission="prevention_expulsion",
                    territory_code="boulonnais",
                    started_at=at(day, 10),
                    outcome=outcome,
                )
            )
        db.session.flush()
        for sid, status in (("CA2", "open"), ("CA3", "claimed")):
            call = db.session.scalar(db.select(Call).where(Call.call_sid == sid))
            db.session.add(
                CallbackTask(call_id=call.id, kind="missed", status=status, created_at=at(date(2026, 11, 6), 11))
            )
        db.session.execute(OpeningHours.__table__.delete())
        db.session.add(OpeningHours(mission="info_logement", weekday=2, opens=time(9), closes=time(12)))
        db.session.commit()
    login(manager)
    response = client.get("/")
    page = sections(response)

    figures = page["chiffres"]
    assert "Chiffres clés du mois : novembre 2026" in figures and "Comparés à octobre 2026" in figures
    html = response.get_data(as_text=True)
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r'<th scope="row">([^<]+)</th>(.*?)</tr>', html.split("caption>Prévention des expulsions")[1], re.S
        )
    }
    cells = {
        name: [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for name, row in rows.items()
    }
    tones = {name: re.findall(r'<td class="num (tone-\w+)"', row) for name, row in rows.items()}
    assert cells["Consultations"] == ["3", "1", "+2"] and tones["Consultations"] == ["tone-neutral"]
    assert cells["Ménages"] == ["1", "1", "="]
    assert cells["Appels répondus"] == ["1", "2", "−1 (défavorable)"] and tones["Appels répondus"] == ["tone-bad"]
    # more missed calls is bad: red, whatever its sign
    assert cells["Appels manqués"] == ["1", "0", "+1 (défavorable)"] and tones["Appels manqués"] == ["tone-bad"]
    assert "Décembre 2026, en cours : 1 consultation à ce jour." in figures

    assert "Boulonnais 1 1 06/10/2026 10:00" in page["rappels"]  # the oldest call waiting (CA3), not its task
    gaps = page["gardes"]
    assert "Mercredi 16/12 09:00–12:00 : Information sur le logement et l'habitat, personne de garde" in gaps
    assert "Mercredi 23/12 09:00–12:00" in gaps and "Mercredi 30/12" not in gaps  # 14 days


def test_admin_home_accounts_gaps_and_permanences_without_jurist(app, client, login, make_user):
    app.config["FIXED_NOW"] = NOW
    admin = make_user("admin")
    lost = make_user("jurist", name="Jeanne Sansmission")
    holder = make_user("jurist", name="Marc Tenant", phone="+33612000099")
    make_user("manager", active=False)
    with app.app_context():
        db.session.execute(UserMission.__table__.delete().where(UserMission.user_id == lost.id))
        db.session.execute(OpeningHours.__table__.delete())
        db.session.add(OpeningHours(mission="prevention_expulsion", weekday=1, opens=time(9), closes=time(12)))
        db.session.add(
            DutyShift(user_id=holder.id, mission="prevention_expulsion", weekday=1, starts=time(9), ends=time(11))
        )
        for user_id, name in ((None, "Mairie d'Arras"), (holder.id, "Mairie de Lens")):
            permanences.save(
                None,
                commune_insee="62498",
                name=name,
                address="1 place",
                mission="info_logement",
                user_id=user_id,
                frequency="weekly",
                weekday=3,
                week_of_month=None,
                starts=time(14),
                ends=time(17),
                first_day=date(2026, 11, 1),
                last_day=date(2026, 12, 10),
                active=True,
                today=MONDAY,
            )
        db.session.commit()
    login(admin)
    page = sections(client.get("/"))

    accounts = page["comptes"]
    assert "Juriste : 2 actifs" in accounts and "Administrateur : 1 actif" in accounts
    assert "Responsable : 0 actif" in accounts and "1 compte désactivé" in accounts
    assert "Juristes sans mission (1)" in accounts and "Jeanne Sansmission" in accounts

    gaps = page["gardes"]
    assert "Mardi 01/12 11:00–12:00 : Prévention des expulsions locatives (numéro vert), personne de garde" in gaps
    assert "Mardi 08/12 11:00–12:00" in gaps

    unstaffed = page["sans-juriste"]
    assert "jeudi 03/12/2026 14:00–17:00 — Mairie d'Arras" in unstaffed
    assert "jeudi 10/12/2026" in unstaffed and "Mairie de Lens" not in unstaffed
    assert page["unstaffed-title"].endswith("2")


def test_homes_without_login_send_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_day_after_tomorrow_is_not_on_the_home(app, jurist_day):
    """The appointments of the home are those of today and tomorrow, in local time."""
    from hotline.home.services import jurist_home

    with app.app_context():
        user = db.session.merge(jurist_day)
        home = jurist_home(user, at(MONDAY, 8), PARIS)
        assert [(day, [a.starts_at.astimezone(PARIS).hour for a in items]) for day, items in home.appointments] == [
            (MONDAY, [14]),
            (TUESDAY, [10]),
        ]
        assert home.appointments[0][0] + timedelta(days=1) == home.appointments[1][0]


def test_the_managers_key_figures_are_the_full_reports(app, make_consultation, make_household, make_user):
    """Read from the rollup, the home's figures are those the full report (services.report) counts."""
    from hotline.home import services as home
    from hotline.reports import services as reports

    paris = ZoneInfo("Europe/Paris")
    now = datetime(2026, 12, 10, 9, tzinfo=UTC)
    shared = make_household(name="Famille Partagée", commune_insee="62160")
    make_consultation(
        date=date(2026, 10, 3),
        mission="prevention_expulsion",
        commune_insee="62160",
        territory_code="boulonnais",
        household=shared,
    )
    for day, mission, commune, territory, household in (
        (date(2026, 10, 20), "prevention_expulsion", "62160", "boulonnais", shared),
        (date(2026, 11, 4), "prevention_expulsion", "62498", "lens-henin", shared),
        (date(2026, 11, 5), "info_logement", "62498", "lens-henin", None),
        (date(2026, 11, 30), "info_logement", "62193", "calaisis", None),
        (date(2026, 12, 1), "prevention_expulsion", "62160", "boulonnais", None),
    ):
        make_consultation(
            date=day, mission=mission, commune_insee=commune, territory_code=territory, household=household
        )
    with app.app_context():
        figures = home.manager_home(make_user("manager"), now, paris)
        rows = reports.report(date(2026, 10, 1), date(2026, 12, 1), list(figures.month_to_date), now, paris)
        for mission_figures in figures.missions:
            assert mission_figures.figures == home.key_figures(
                rows, mission_figures.mission, figures.month, figures.before
            )
        assert figures.month_to_date == {"prevention_expulsion": 1, "info_logement": 0}
        by_mission = {m.mission: {f.name: (f.current, f.previous) for f in m.figures} for m in figures.missions}
        eviction, information = by_mission["prevention_expulsion"], by_mission["info_logement"]
        assert (eviction["Consultations"], eviction["Ménages"]) == ((1, 2), (1, 1))  # one household, twice in October
        # October holds no row of the information mission: a month its data does not cover (the bilan's notion)
        assert (information["Consultations"], information["Ménages"]) == ((2, None), (2, None))


def test_the_managers_key_figures_say_not_available_before_the_data_begins(
    app, client, login, make_user, make_consultation
):
    """The service's first complete month has no month before in the data: its figures are "non disponible", not 0s
    with a change against 0 ("+3", coloured)."""
    app.config["FIXED_NOW"] = "2026-12-15T10:00"  # November is the last complete month, October has no row
    for day in (date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 20)):
        make_consultation(date=day, mission="prevention_expulsion")
    login(make_user("manager"))
    html = client.get("/").get_data(as_text=True)
    table = html.split("caption>Prévention des expulsions")[1].split("</table>")[0]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S))
    cells = {
        name: [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for name, row in rows.items()
    }
    assert cells["Consultations"] == ["3", "non disponible", "non disponible"]
    assert cells["Appels manqués"] == ["0", "non disponible", "non disponible"]
    assert 'class="num tone-neutral"' in rows["Consultations"] and "tone-bad" not in table and "tone-good" not in table
