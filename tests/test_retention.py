"""Personal data past its retention is erased; the figures stay."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from hotline.audit import AuditEvent
from hotline.auth.models import LoginAttempt
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db
from hotline.ivr.models import Call

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def test_purge_erases_what_is_too_old_and_keeps_the_rest(app, runner, make_household, make_consultation):
    old_family = make_household(name="Famille Ancienne", phone="+33611111111", created_at=NOW - timedelta(days=5 * 365))
    make_consultation(household=old_family, date=date(2022, 1, 10))
    active_family = make_household(name="Famille Suivie", phone="+33622222222",
                                   created_at=NOW - timedelta(days=5 * 365))
    make_consultation(household=active_family, date=date(2022, 1, 10))
    make_consultation(household=active_family, date=date(2026, 10, 1))
    with app.app_context():
        db.session.add_all([
            LoginAttempt(at=NOW - timedelta(days=200), email="a@example.org", success=False, reason="password"),
            LoginAttempt(at=NOW - timedelta(days=10), email="b@example.org", success=True, reason="ok"),
            AuditEvent(at=NOW - timedelta(days=400), action="household.read", object_type="household", object_id="1"),
            AuditEvent(at=NOW - timedelta(days=30), action="household.read", object_type="household", object_id="1"),
            Call(call_sid="CAold", started_at=NOW - timedelta(days=400), path="accueil", from_number="+33633333333",
                 recording_url="https://api.twilio.com/rec", outcome="voicemail", mission="info_logement"),
            Call(call_sid="CAnew", started_at=NOW - timedelta(days=3), path="accueil", from_number="+33644444444",
                 outcome="answered", mission="info_logement"),
        ])
        db.session.commit()
    app.config["FIXED_NOW"] = NOW.isoformat()
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert "À effacer : 1 tentative(s) de connexion, 1 lecture(s) du journal, 1 numéro(s) d'appelant ; " \
           "1 ménage(s) à anonymiser." in dry.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 2
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "1 ménage(s) anonymisé(s)" in result.output
    with app.app_context():
        assert list(db.session.scalars(select(LoginAttempt.email))) == ["b@example.org"]
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        calls = {c.call_sid: c for c in db.session.scalars(select(Call))}
        assert (calls["CAold"].from_number, calls["CAold"].recording_url, calls["CAold"].outcome) == \
            (None, None, "voicemail")
        assert calls["CAnew"].from_number == "+33644444444"
        old = db.session.get(Household, old_family.id)
        assert (old.name, old.phone) == (None, None) and len(old.consultations) == 1
        kept = db.session.get(Household, active_family.id)
        assert (kept.name, kept.phone) == ("Famille Suivie", "+33622222222")
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 3
    assert "Effacé : 0 tentative(s)" in runner.invoke(args=["purge"]).output


def test_the_nightly_job_commits(app):
    from hotline.scheduler import nightly_purge

    with app.app_context():
        db.session.add(LoginAttempt(at=NOW - timedelta(days=365), email="x@example.org", success=False,
                                    reason="password"))
        db.session.commit()
    app.config["FIXED_NOW"] = NOW.isoformat()
    assert nightly_purge(app)["login_attempts"] == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_retention_periods_come_from_the_environment(tmp_path):
    from hotline import create_app
    from hotline.config import from_environment

    assert from_environment({"HOTLINE_RETENTION_AUDIT_DAYS": "90"})["RETENTION_AUDIT_DAYS"] == 90
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert (app.config["RETENTION_LOGIN_DAYS"], app.config["RETENTION_HOUSEHOLD_YEARS"]) == (180, 3)
