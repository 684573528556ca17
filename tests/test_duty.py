"""on_duty(): the one question the voice menu asks the roster."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from hotline.extensions import db
from hotline.permanences.duty import on_duty
from hotline.permanences.models import DutyShift

PARIS = ZoneInfo("Europe/Paris")


def test_on_duty_by_mission_territory_and_instant(app, make_user):
    local = make_user("jurist", phone="+33612345601", territories=("boulonnais",))
    pool = make_user("jurist", phone="+33612345602")
    away = make_user("jurist", phone="+33612345603", active=False)
    no_phone = make_user("jurist")
    with app.app_context():
        for user, territory in ((local, "boulonnais"), (pool, None), (away, "boulonnais"), (no_phone, "boulonnais")):
            db.session.add(DutyShift(user_id=user.id, mission="prevention_expulsion", territory_code=territory,
                                     weekday=1, starts=time(9), ends=time(12)))
        db.session.commit()
        tuesday_10 = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)

        def ids(*args, **kwargs):
            return [u.id for u in on_duty(*args, **kwargs)]

        assert ids("prevention_expulsion", "boulonnais", tuesday_10, PARIS) == [local.id, pool.id]
        assert ids("prevention_expulsion", "boulonnais", tuesday_10, PARIS, include_pool=False) == [local.id]
        assert ids("prevention_expulsion", "calaisis", tuesday_10, PARIS) == [pool.id]
        assert ids("prevention_expulsion", None, tuesday_10, PARIS) == [local.id, pool.id]
        assert ids("info_logement", "boulonnais", tuesday_10, PARIS) == []
        assert ids("prevention_expulsion", "boulonnais", datetime(2026, 12, 1, 12, 0, tzinfo=PARIS), PARIS) == []
        assert ids("prevention_expulsion", "boulonnais", datetime(2026, 12, 2, 10, 0, tzinfo=PARIS), PARIS) == []
        # An instant given in UTC is read in local time: 9:30 UTC is 10:30 in Paris in winter.
        assert ids("prevention_expulsion", "boulonnais", datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("UTC")), PARIS)
