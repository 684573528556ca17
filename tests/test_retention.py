"""Personal data past its retention is erased; the figures stay."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import JSON, String, Text, func, select, text

from hotline.appointments.models import Appointment
from hotline.auth.models import LoginAttempt
from hotline.consultations import services
from hotline.consultations.imports.jobs import ImportJob
from hotline.consultations.models import (
    Consultation,
    ConsultationCode,
    ConsultationRevision,
    Household,
)
from hotline.core.audit import AuditEvent
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.privacy import retention
from hotline.sms.models import SmsMessage

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def test_purge_erases_what_is_too_old_and_keeps_the_rest(app, runner, make_household, make_consultation):
    old_family = make_household(name="Famille Ancienne", phone="+33611111111", created_at=NOW - timedelta(days=5 * 365))
    make_consultation(household=old_family, date=date(2022, 1, 10))
    active_family = make_household(
        name="Famille Suivie", phone="+33622222222", created_at=NOW - timedelta(days=5 * 365)
    )
    make_consultation(household=active_family, date=date(2022, 1, 10))
    make_consultation(household=active_family, date=date(2026, 10, 1))
    with app.app_context():
        db.session.add_all(
            [
                LoginAttempt(at=NOW - timedelta(days=200), email="a@example.org", success=False, reason="password"),
                LoginAttempt(at=NOW - timedelta(days=10), email="b@example.org", success=True, reason="ok"),
                AuditEvent(
                    at=NOW - timedelta(days=400), action="household.read", object_type="household", object_id="1"
                ),
                AuditEvent(
                    at=NOW - timedelta(days=30), action="household.read", object_type="household", object_id="1"
                ),
                Call(
                    call_sid="CAold",
                    started_at=NOW - timedelta(days=400),
                    path="accueil",
                    from_number="+33633333333",
                    recording_url="https://api.twilio.com/rec",
                    outcome="voicemail",
                    mission="info_logement",
                ),
                Call(
                    call_sid="CAnew",
                    started_at=NOW - timedelta(days=3),
                    path="accueil",
                    from_number="+33644444444",
                    outcome="answered",
                    mission="info_logement",
                ),
            ]
        )
        db.session.commit()
    app.config["FIXED_NOW"] = NOW.isoformat()
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert (
        "À effacer : 1 tentative(s) de connexion, 1 lecture(s) du journal, 1 numéro(s) d'appelant, 0 import(s) "
        "en arrière-plan (détail des erreurs, nom du fichier) ; 1 ménage(s) à anonymiser." in dry.output
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 2
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "1 ménage(s) anonymisé(s)" in result.output
    with app.app_context():
        assert list(db.session.scalars(select(LoginAttempt.email))) == ["b@example.org"]
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        calls = {c.call_sid: c for c in db.session.scalars(select(Call))}
        assert (calls["CAold"].from_number, calls["CAold"].recording_url, calls["CAold"].outcome) == (
            None,
            None,
            "voicemail",
        )
        assert calls["CAnew"].from_number == "+33644444444"
        old = db.session.get(Household, old_family.id)
        assert (old.name, old.phone) == (None, None) and len(old.consultations) == 1
        kept = db.session.get(Household, active_family.id)
        assert (kept.name, kept.phone) == ("Famille Suivie", "+33622222222")
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 3
    assert "Effacé : 0 tentative(s)" in runner.invoke(args=["purge"]).output


def test_the_nightly_job_commits(app):
    from hotline.jobs.scheduler import nightly_purge

    with app.app_context():
        db.session.add(
            LoginAttempt(at=NOW - timedelta(days=365), email="x@example.org", success=False, reason="password")
        )
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
    assert from_environment({"HOTLINE_RETENTION_IMPORT_JOB_DAYS": "7"})["RETENTION_IMPORT_JOB_DAYS"] == 7
    assert app.config["RETENTION_IMPORT_JOB_DAYS"] == 30


# Every personal or free-text value the test puts in a household's records; none may survive its purge.
SECRETS = (
    "Famille Secrète",
    "+33655555555",
    "DOSSIER-SECRET-42",
    "Notes secrètes sur la famille",
    "Notes corrigées, secrètes aussi",
    "+33655555555",
    "https://api.twilio.com/rec/SECRET",
    "Rappeler Mme Secrète après 18 h",
    "SMsecret0000000000000000000000000",
    "IMPORT-SECRET-7",
)


def text_values(row) -> list[str]:
    """Every text value of a row: String, Text and JSON columns (JSON as its serialized text)."""
    values = []
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if value is not None and isinstance(column.type, (String, Text, JSON)):
            values.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return values


def household_rows(household_id: int) -> list:
    consultations = list(db.session.scalars(select(Consultation).where(Consultation.household_id == household_id)))
    consultation_ids = [c.id for c in consultations]
    call_ids = [c.call_id for c in consultations if c.call_id]
    return (
        [db.session.get(Household, household_id)]
        + consultations
        + list(
            db.session.scalars(
                select(ConsultationRevision).where(ConsultationRevision.consultation_id.in_(consultation_ids))
            )
        )
        + list(
            db.session.scalars(select(ConsultationCode).where(ConsultationCode.consultation_id.in_(consultation_ids)))
        )
        + list(db.session.scalars(select(Call).where(Call.id.in_(call_ids))))
        + list(db.session.scalars(select(CallbackTask).where(CallbackTask.call_id.in_(call_ids))))
        + list(db.session.scalars(select(Appointment).where(Appointment.household_id == household_id)))
    )


def old_household_with_everything(app, make_household, make_consultation, **household_fields):
    """A household last seen in 2022: notes, an edit of them, the call it came from with a callback comment,
    an appointment with an SMS reminder."""
    household = make_household(
        created_at=NOW - timedelta(days=5 * 365), commune_insee="62498", adults=1, children=2, **household_fields
    )
    consultation = make_consultation(
        household=household,
        date=date(2022, 1, 10),
        notes=SECRETS[3],
        external_id=f"{SECRETS[9]}-{household.id}",
        mission="prevention_expulsion",
        procedure_stage="assignation",
        debt_amount=Decimal("1234.50"),
    )
    with app.app_context():
        call = Call(
            call_sid=f"CA{household.id}",
            started_at=datetime(2022, 1, 10, 9, tzinfo=UTC),
            path="accueil",
            from_number=SECRETS[1],
            recording_url=SECRETS[6],
            outcome="voicemail",
            mission="prevention_expulsion",
        )
        db.session.add(call)
        db.session.flush()
        db.session.add(
            CallbackTask(call_id=call.id, kind="voicemail", status="done", result="reached", comment=SECRETS[7])
        )
        row = db.session.get(Consultation, consultation.id)
        row.call_id = call.id
        data = services.snapshot(row) | {"notes": SECRETS[4]}
        services.update_consultation(row, data, None, None)
        appointment = Appointment(
            household_id=household.id,
            mission="prevention_expulsion",
            status="held",
            starts_at=datetime(2022, 1, 20, 9, tzinfo=UTC),
            sms_reminder=True,
        )
        db.session.add(appointment)
        db.session.flush()
        db.session.add(
            SmsMessage(
                purpose="reminder",
                appointment_id=appointment.id,
                key=f"reminder:{appointment.id}",
                status="sent",
                sid=SECRETS[8],
            )
        )
        db.session.commit()
    return household


def test_a_purged_household_leaves_no_free_text(app, runner, make_household, make_consultation):
    household = old_household_with_everything(
        app, make_household, make_consultation, name=SECRETS[0], phone=SECRETS[1], external_ref=SECRETS[2]
    )
    # Anonymised by an earlier version of the purge: name and phone gone, notes and the rest still there.
    half_purged = old_household_with_everything(app, make_household, make_consultation)
    app.config["FIXED_NOW"] = NOW.isoformat()
    assert "2 ménage(s) anonymisé(s)" in runner.invoke(args=["purge"]).output
    with app.app_context():
        for household_id in (household.id, half_purged.id):
            rows = household_rows(household_id)
            assert {type(r).__name__ for r in rows} >= {
                "Household",
                "Consultation",
                "ConsultationRevision",
                "Call",
                "CallbackTask",
                "Appointment",
            }
            leaks = [(type(r).__name__, v) for r in rows for v in text_values(r) if any(s in v for s in SECRETS)]
            assert leaks == []
            assert all(r.notes is None for r in rows if isinstance(r, Consultation))
            assert all(c.comment is None for c in rows if isinstance(c, CallbackTask))
        # What the figures read stays: codes, dates, amounts, territory, composition, outcomes.
        kept = db.session.get(Household, household.id)
        consultation = kept.consultations[0]
        assert (kept.commune_insee, kept.adults, kept.children) == ("62498", 1, 2)
        assert (
            consultation.date,
            consultation.procedure_stage,
            consultation.debt_amount,
            consultation.territory_code,
            consultation.themes,
        ) == (date(2022, 1, 10), "assignation", Decimal("1234.50"), "lens-henin", ["rapports_locatifs"])
        assert db.session.scalar(select(CallbackTask.result)) == "reached"
    assert "0 ménage(s) anonymisé(s)" in runner.invoke(args=["purge"]).output


def test_callback_comments_go_with_the_callers_number(app, runner):
    with app.app_context():
        call = Call(
            call_sid="CAcomment",
            started_at=NOW - timedelta(days=400),
            path="accueil",
            outcome="callback_requested",
            mission="info_logement",
        )
        db.session.add(call)
        db.session.flush()
        db.session.add(
            CallbackTask(
                call_id=call.id,
                kind="callback_request",
                status="done",
                result="no_answer",
                comment="M. Untel, voisin de Mme X",
            )
        )
        db.session.commit()
    app.config["FIXED_NOW"] = NOW.isoformat()
    assert "1 numéro(s) d'appelant" in runner.invoke(args=["purge", "--dry-run"]).output
    runner.invoke(args=["purge"])
    with app.app_context():
        task = db.session.scalar(select(CallbackTask))
        assert (task.comment, task.result) == (None, "no_answer")


# An import's errors quote the wrong cells of the file (a name or a number typed in the wrong column).
LEAKY_ERRORS = [
    [4, "date", "« Jean Dupont » n'est pas une date."],
    [7, "mode", "« 0611223344 » n'est pas un code connu."],
]


def import_job_rows(app) -> list[tuple]:
    """(filename, state, errors IS NULL, errors as stored, rows_done, created, created_by_id, finished_at) of
    every job, oldest first, read with plain SQL (where JSON 'null' and SQL NULL differ)."""
    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT filename, state, errors IS NULL, errors, rows_done, created, "
                "created_by_id, finished_at FROM import_jobs ORDER BY id"
            )
        ).all()
    return [(row[0], row[1], bool(row[2]), *row[3:]) for row in rows]


def test_ended_import_jobs_lose_their_errors_and_filename_after_the_retention(app, runner, make_user):
    author = make_user("manager")
    day = timedelta(days=1)
    with app.app_context():
        db.session.add_all(
            [
                ImportJob(
                    filename="dupont-jean.csv",
                    state="failed",
                    errors=LEAKY_ERRORS,
                    rows_total=9,
                    rows_done=0,
                    created_by_id=author.id,
                    created_at=NOW - 45 * day,
                    started_at=NOW - 45 * day,
                    finished_at=NOW - 31 * day,
                ),
                ImportJob(
                    filename="martin-export.csv",
                    state="done",
                    rows_total=12,
                    rows_done=12,
                    created=10,
                    updated=2,
                    created_by_id=author.id,
                    created_at=NOW - 60 * day,
                    started_at=NOW - 60 * day,
                    finished_at=NOW - 59 * day,
                ),
                ImportJob(
                    filename="recent.csv",
                    state="failed",
                    errors=LEAKY_ERRORS,
                    created_by_id=author.id,
                    created_at=NOW - 29 * day,
                    started_at=NOW - 29 * day,
                    finished_at=NOW - 29 * day,
                ),
                ImportJob(filename="waiting.csv", state="queued", created_at=NOW - 90 * day),
                # Running for ages (the runner will recover it): never touched, whatever its dates say.
                ImportJob(
                    filename="running.csv",
                    state="writing",
                    errors=LEAKY_ERRORS,
                    created_at=NOW - 90 * day,
                    started_at=NOW - 90 * day,
                    finished_at=NOW - 80 * day,
                ),
            ]
        )
        db.session.commit()
    before = import_job_rows(app)
    app.config["FIXED_NOW"] = NOW.isoformat()

    label = "2 import(s) en arrière-plan (détail des erreurs, nom du fichier)"
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0 and label in dry.output
    assert import_job_rows(app) == before  # counted, not changed

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and label in result.output
    after = import_job_rows(app)
    # The rows stay (state, counts, author, end); their errors become NULL, their file's name a neutral text.
    assert [row[:4] for row in after] == [
        ("(fichier effacé)", "failed", True, None),
        ("(fichier effacé)", "done", True, None),
        *(row[:4] for row in before[2:]),
    ]
    assert [row[4:] for row in after] == [row[4:] for row in before]
    with app.app_context():
        assert db.session.scalar(select(ImportJob.errors).where(ImportJob.filename == "recent.csv")) == LEAKY_ERRORS
    assert "0 import(s) en arrière-plan" in runner.invoke(args=["purge"]).output


def test_the_import_job_retention_comes_from_its_setting(app, monkeypatch):
    with app.app_context():
        db.session.add(
            ImportJob(
                filename="dix-jours.csv", state="failed", errors=LEAKY_ERRORS, finished_at=NOW - timedelta(days=10)
            )
        )
        db.session.commit()
        assert retention.purge(NOW)["import_jobs"] == 0
        monkeypatch.setitem(app.config, "RETENTION_IMPORT_JOB_DAYS", 7)
        assert retention.purge(NOW, dry_run=True)["import_jobs"] == 1
        assert retention.purge(NOW)["import_jobs"] == 1
        db.session.commit()
        assert db.session.execute(select(ImportJob.filename, ImportJob.errors)).one() == ("(fichier effacé)", None)
