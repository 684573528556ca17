"""A person's rights (RGPD): a manager downloads all data of a household (JSON, PDF) or erases it;
the figures stay; every step is audited; nobody else gets in."""

import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from conftest import csrf_token
from pypdf import PdfReader
from sqlalchemy import select
from test_retention import (
    NOW,
    SECRETS,
    household_rows,
    old_household_with_everything,
    text_values,
)

from hotline.consultations import services
from hotline.consultations.models import Consultation, Household
from hotline.core.audit import AuditEvent
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.privacy import personal
from hotline.reports import services as reports

ZONE_NOW = NOW.isoformat()


@pytest.fixture
def household(app, make_household, make_consultation):
    household = old_household_with_everything(
        app, make_household, make_consultation, name=SECRETS[0], phone=SECRETS[1], external_ref=SECRETS[2]
    )
    with app.app_context():  # a later call from the same number, that no consultation came from
        call = Call(
            call_sid="CAlater",
            started_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
            path="accueil",
            from_number=SECRETS[1],
            outcome="callback_requested",
            mission="prevention_expulsion",
        )
        db.session.add(call)
        db.session.flush()
        db.session.add(CallbackTask(call_id=call.id, kind="callback_request", comment="Préfère être rappelée le soir"))
        db.session.commit()
    app.config["FIXED_NOW"] = ZONE_NOW
    return household


def _events(app, action):
    with app.app_context():
        return list(
            db.session.execute(select(AuditEvent.object_id, AuditEvent.user_id).where(AuditEvent.action == action))
        )


@pytest.mark.parametrize("role", ["jurist", "admin"])
def test_only_managers_reach_personal_data(client, make_user, login, household, role):
    login(make_user(role))
    for path in ("", "export.json", "export.pdf"):
        assert client.get(f"/households/{household.id}/personal-data/{path}").status_code == 403
    assert client.post(
        f"/households/{household.id}/personal-data/erase", data={"confirmation": "EFFACER"}
    ).status_code in (400, 403)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Données personnelles (RGPD)" not in page


def test_anonymous_users_are_sent_to_the_login(client, household):
    response = client.get(f"/households/{household.id}/personal-data/export.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_json_export_holds_everything_and_is_audited(app, client, make_user, login, household):
    from hotline.consultations.models import HouseholdFlag

    with app.app_context():
        db.session.add(HouseholdFlag(household_id=household.id, kind="sms", reason="household_request"))
        db.session.commit()
    manager = make_user("manager")
    login(manager)
    assert "Données personnelles (RGPD)" in client.get(f"/households/{household.id}").get_data(as_text=True)
    response = client.get(f"/households/{household.id}/personal-data/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f"attachment; filename=donnees-menage-{household.id}.json"
    data = json.loads(response.data)
    assert (data["household"]["name"], data["household"]["phone"], data["household"]["external_ref"]) == SECRETS[:3]
    [consultation] = data["consultations"]
    assert consultation["notes"] == SECRETS[4] and consultation["debt_amount"] == "1234.50"
    assert consultation["revisions"][0]["changes"]["notes"] == [SECRETS[3], SECRETS[4]]
    assert [(c["from_number"], c["callback"]["comment"]) for c in data["calls"]] == [
        (SECRETS[1], SECRETS[7]),
        (SECRETS[1], "Préfère être rappelée le soir"),
    ]
    assert data["calls"][0]["recording_url"] == SECRETS[6]
    assert [(a["status"], a["sms_reminder"]) for a in data["appointments"]] == [("held", True)]
    assert [(f["kind"], f["reason"], f["ends_on"]) for f in data["household"]["flags"]] == [
        ("sms", "household_request", None)
    ]
    assert ("household.read", "manager") in {(a["action"], a["role"]) for a in data["accesses"]}
    assert _events(app, "household.export") == [(str(household.id), manager.id)]


def test_the_pdf_reads_back_in_french(app, client, make_user, login, household):
    login(make_user("manager"))
    client.get(f"/households/{household.id}/personal-data/")
    response = client.get(f"/households/{household.id}/personal-data/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in (
        f"Données personnelles du ménage n° {household.id}",
        SECRETS[0],
        SECRETS[1],
        SECRETS[2],
        "Consultation du 10/01/2022 — Prévention des expulsions",
        SECRETS[4],
        "Stade de la procédure",
        "Rappeler Mme Secrète",
        "Rendez-vous (1)",
        "Tenu",
        "rappel par SMS accepté",
        "Lecture du dossier du ménage (Responsable)",
    ):
        assert expected in text, expected
    assert len(_events(app, "household.export")) == 1


def test_a_name_outside_windows_1252_still_exports(app, client, make_user, login, make_household, make_consultation):
    household = make_household(name="Ďurišová 😀 Ŵ", phone="+33611111111")
    make_consultation(household=household, notes="Noté : « bail » → œuvre ✓")
    login(make_user("manager"))
    response = client.get(f"/households/{household.id}/personal-data/export.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "?urišová ? ?" in text and "« bail » ? œuvre ?" in text


def test_erasing_asks_for_the_word_and_writes_nothing_without_it(app, client, make_user, login, household):
    login(make_user("manager"))
    url = f"/households/{household.id}/personal-data/"
    response = client.post(url + "erase", data={"confirmation": "oui", "csrf_token": csrf_token(client, url)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tapez EFFACER pour confirmer l&#39;effacement." in html
    assert 'value="oui"' in html
    assert client.post(url + "erase", data={"confirmation": "EFFACER"}).status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.get(Household, household.id).name == SECRETS[0]
    assert _events(app, "household.erase") == []


def test_erasing_keeps_the_figures_and_is_audited(app, client, make_user, login, household):
    manager = make_user("manager")
    with app.app_context():
        version = db.session.scalar(select(Consultation.version).where(Consultation.household_id == household.id))
        before = reports.report(date(2022, 1, 1), date(2026, 11, 1), ["prevention_expulsion"], NOW, UTC)
    login(manager)
    url = f"/households/{household.id}/personal-data/"
    response = client.post(url + "erase", data={"confirmation": " effacer ", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert "sont effacées" in client.get(url).get_data(as_text=True)
    assert _events(app, "household.erase") == [(str(household.id), manager.id)]
    with app.app_context():
        leaks = [v for r in household_rows(household.id) for v in text_values(r) if any(s in v for s in SECRETS)]
        assert leaks == []
        later = db.session.scalar(select(Call).where(Call.call_sid == "CAlater"))
        assert later.from_number is None and later.outcome == "callback_requested"
        assert db.session.scalar(select(CallbackTask.comment).where(CallbackTask.call_id == later.id)) is None
        assert (
            db.session.scalar(select(Consultation.version).where(Consultation.household_id == household.id))
            == version + 1
        )
        after = reports.report(date(2022, 1, 1), date(2026, 11, 1), ["prevention_expulsion"], NOW, UTC)
    assert after == before


def test_an_edit_form_opened_before_the_erasure_cannot_write_the_notes_back(app, household):
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.household_id == household.id))
        version = consultation.version
    with app.app_context():
        personal.erase_households([household.id])
        db.session.commit()
        row = db.session.get(Consultation, consultation.id)
        with pytest.raises(services.ConflictError):
            services.update_consultation(row, services.snapshot(row) | {"notes": SECRETS[3]}, None, version)


def test_erasing_a_household_erases_the_import_errors_that_mention_it(app, client, make_user, login, household):
    """Error lists written before issue 16 quoted the file's cells: a manager's erasure empties those that
    mention the household (its name, its number however written, its file reference) at once."""
    from hotline.consultations.imports.jobs import ERASED_FILENAME, ImportJob

    finished = datetime(2026, 11, 25, 9, tzinfo=UTC)
    jobs = {
        "name": ([[4, "mode", f"« {SECRETS[0].upper()} » n'est pas un code connu."]], "a.csv"),
        "phone": ([[7, "mode", "« 06 55 55 55 55 » n'est pas un code connu."]], "b.csv"),
        "file": (None, f"import {SECRETS[2]}.csv"),
        "other": ([[3, "mode", "« Famille Autre » n'est pas un code connu."]], "c.csv"),
    }
    with app.app_context():
        ids = {}
        for key, (errors, filename) in jobs.items():
            job = ImportJob(
                state="failed" if errors else "done", filename=filename, errors=errors, finished_at=finished
            )
            db.session.add(job)
            db.session.flush()
            ids[key] = job.id
        db.session.commit()
    login(make_user("manager"))
    url = f"/households/{household.id}/personal-data/"
    client.post(url + "erase", data={"confirmation": "EFFACER", "csrf_token": csrf_token(client, url)})
    with app.app_context():
        left = {
            key: (db.session.get(ImportJob, job_id).errors, db.session.get(ImportJob, job_id).filename)
            for key, job_id in ids.items()
        }
    assert left == {
        "name": (None, ERASED_FILENAME),
        "phone": (None, ERASED_FILENAME),
        "file": (None, ERASED_FILENAME),
        "other": jobs["other"],
    }
