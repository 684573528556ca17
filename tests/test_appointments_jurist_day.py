"""appointments.services.for_jurist_between: the appointments a jurist receives in a span (the home page's list)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.appointments import services
from hotline.auth.models import User
from hotline.consultations.models import Household
from hotline.extensions import db

PARIS = ZoneInfo("Europe/Paris")


def test_a_jurist_gets_their_booked_appointments_of_the_span(app, make_user, make_household):
    sophie, other = make_user("jurist", name="Sophie"), make_user("jurist", name="Autre")
    household = make_household(name="Famille Martin")
    now = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
    with app.app_context():
        h, s, o = (
            db.session.get(Household, household.id),
            db.session.get(User, sophie.id),
            db.session.get(User, other.id),
        )

        def book(jurist, day, hour):
            return services.book(
                h,
                mission="info_logement",
                jurist=jurist,
                booked_by=jurist,
                now=now,
                zone=PARIS,
                office_at=datetime(2026, 12, day, hour, 0),
            )

        later, first = book(s, 2, 14), book(s, 2, 9)
        book(s, 3, 9)  # the next day
        book(o, 2, 10)  # another jurist's
        services.settle(book(s, 2, 11), "cancelled", now)
        db.session.commit()
        found = services.for_jurist_between(s, datetime(2026, 12, 2, tzinfo=PARIS), datetime(2026, 12, 3, tzinfo=PARIS))
        assert [a.id for a in found] == [first.id, later.id]
        manager = make_user("manager")
        assert (
            services.for_jurist_between(
                db.session.get(User, manager.id),
                datetime(2026, 12, 2, tzinfo=PARIS),
                datetime(2026, 12, 3, tzinfo=PARIS),
            )
            == []
        )
