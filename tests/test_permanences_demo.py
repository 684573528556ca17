"""The demo's places and permanences: both missions in every territory, since the demo's first day, and no
jurist on the phone while at a permanence."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from test_permanences import fresh_places  # noqa: F401 (fixture)

from hotline.auth.models import User
from hotline.cases.deadlines import is_working_day
from hotline.extensions import db
from hotline.jobs import demo
from hotline.permanences import recurrence, services
from hotline.permanences.models import DutyShift, Permanence
from hotline.reference import labels

PARIS = ZoneInfo("Europe/Paris")


def test_demo_permanences_cover_both_missions_in_every_territory(app, make_user):
    made = [
        make_user("jurist", name=name, territories=(territory,), phone=phone) for name, territory, phone in demo.JURISTS
    ]
    today = date(2026, 12, 1)
    with app.app_context():
        jurists = [db.session.get(User, user.id) for user in made]
        demo.roster(jurists)
        demo.permanences(jurists, today)
        db.session.commit()
        permanences = list(db.session.scalars(select(Permanence)))
        territories = {
            "arrageois",
            "artois",
            "audomarois",
            "boulonnais",
            "calaisis",
            "lens-henin",
            "montreuillois",
            "ternois",
        }
        assert {(p.territory_code, p.mission) for p in permanences} == {
            (t, m) for t in territories for m in labels("missions")
        }
        now = datetime(2026, 12, 1, 8, tzinfo=PARIS)
        for mission in labels("missions"):
            assert len(services.held(today - timedelta(days=365), today, now, PARIS, mission=mission)) > 100
        # Held since the demo's first day, both years, on working days within the opening hours only.
        held = services.held(date(2024, 6, 1), today, now, PARIS)
        assert {o.day.year for o in held} == {2025, 2026} and min(o.day for o in held) < date(2025, 1, 15)
        assert all(
            is_working_day(o.day) and time(9) <= o.permanence.starts < o.permanence.ends <= time(17) for o in held
        )
        for p in permanences:  # nobody is rostered on the phone during their own permanence
            for shift in db.session.scalars(select(DutyShift).where(DutyShift.user_id == p.user_id)):
                for weekday in shift.weekdays:
                    during = services.duty_schedule(shift, weekday, today)
                    assert recurrence.first_common_day(services.schedule_of(p), during, today) is None
        # The voice menu still has someone for every territory and mission on weekdays at 10:00 and 15:00.
        for day in range(5):
            for hour in (10, 15):
                for mission in labels("missions"):
                    assert db.session.scalar(
                        select(DutyShift.id)
                        .where(
                            DutyShift.weekday == day,
                            DutyShift.mission == mission,
                            DutyShift.starts <= datetime(2026, 1, 1, hour).time(),
                            DutyShift.ends > datetime(2026, 1, 1, hour).time(),
                        )
                        .limit(1)
                    )
