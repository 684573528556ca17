"""`flask demo` fills a year of realistic data, and can be run again."""

import re
from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select

from hotline.activities.models import Activity
from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.ivr.models import Call
from hotline.permanences.models import DutyShift


def test_demo_data(runner, app, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    passwords = dict(re.findall(r"(\S+@demo\.example\.org)\s+(\S+)", result.output))
    assert {"admin@demo.example.org", "responsable@demo.example.org", "juriste1@demo.example.org"} <= set(passwords)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) > 800
        territories = set(db.session.scalars(select(Consultation.territory_code).distinct()))
        assert {
            "arrageois",
            "artois",
            "audomarois",
            "boulonnais",
            "calaisis",
            "lens-henin",
            "montreuillois",
            "ternois",
        } <= territories
        first, last = db.session.execute(select(func.min(Consultation.date), func.max(Consultation.date))).one()
        assert (last - first).days > 300
        moving = db.session.execute(
            select(Consultation.household_id)
            .where(Consultation.procedure_stage.is_not(None))
            .group_by(Consultation.household_id)
            .having(func.count(distinct(Consultation.procedure_stage)) >= 3)
        ).all()
        assert len(moving) > 10
        assert db.session.scalar(select(func.count()).select_from(DutyShift)) > 0
        zone = ZoneInfo("Europe/Paris")
        for call in db.session.scalars(select(Call)):
            local = call.started_at.astimezone(zone)
            in_hours = local.weekday() < 5 and (
                time(9) <= local.time() < time(12, 30) or time(13, 30) <= local.time() < time(17)
            )
            assert in_hours != (call.outcome == "closed"), (local, call.outcome)  # closed: only at night
            assert call.wait_seconds >= 0 and (call.talk_seconds or 0) >= 0 and call.ended_at > call.started_at
            assert call.recording_url is None  # nothing fake to listen to
        assert db.session.scalar(select(func.count()).select_from(Call).where(Call.outcome == "closed")) >= 5
        kinds = dict(
            db.session.execute(select(Activity.activity_type, func.count()).group_by(Activity.activity_type)).all()
        )
        assert kinds.get("ccapex", 0) > 50 and len(kinds) >= 5
        assert {"info_logement", "prevention_expulsion"} == set(db.session.scalars(select(Activity.mission).distinct()))
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "déjà présentes" in again.output
    new_passwords = dict(re.findall(r"(\S+@demo\.example\.org)\s+(\S+)", again.output))
    from conftest import csrf_token

    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "email": "juriste1@demo.example.org",
            "password": new_passwords["juriste1@demo.example.org"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
