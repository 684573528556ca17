"""The jurists' "Appels" page: calls to log, callbacks to claim and close, consultations from a call."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_token
from sqlalchemy import select

from hotline.consultations.models import Consultation
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask

STARTED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def answered_call(app, jurist):
    with app.app_context():
        call = Call(
            call_sid="CApage",
            from_number="+33611223344",
            to_number="+33800000062",
            mission="prevention_expulsion",
            territory_code="lens-henin",
            commune_insee="62498",
            started_at=STARTED,
            answered_at=STARTED + timedelta(seconds=40),
            answered_by_id=jurist.id,
            ended_at=STARTED + timedelta(minutes=13),
            talk_seconds=740,
            outcome="answered",
        )
        db.session.add(call)
        db.session.commit()
        return call.id


def voicemail(app, **fields) -> int:
    """A call that ended in a voicemail, and its callback task (its id)."""
    with app.app_context():
        call = Call(started_at=STARTED, ended_at=STARTED + timedelta(minutes=2), outcome="voicemail", **fields)
        db.session.add(call)
        db.session.flush()
        task = CallbackTask(call_id=call.id, kind="voicemail")
        db.session.add(task)
        db.session.commit()
        return task.id


@pytest.fixture
def voicemail_task(app):
    return voicemail(
        app,
        call_sid="CAvm",
        from_number="+33655555555",
        mission="prevention_expulsion",
        territory_code="boulonnais",
        recording_url="https://api.twilio.com/rec/RE1",
        recording_seconds=42,
    )


def selected(html, field):
    select_html = re.search(rf'<select[^>]*id="{field}".*?</select>', html, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"', select_html).group(1)


def value(html, field):
    return re.search(rf'<input[^>]*id="{field}"[^>]*>', html).group(0).split('value="')[1].split('"')[0]


def test_consultation_from_a_call_is_prefilled_and_linked(
    client, jurist, login, answered_call, app, make_consultation, make_household
):
    household = make_household(name="Famille Appelante", phone="+33611223344")
    make_consultation(household=household, mission="prevention_expulsion")
    login(jurist)
    page = client.get("/calls/").get_data(as_text=True)
    assert f"/consultations/new?call={answered_call}" in page and "+33611223344" in page
    form = client.get(f"/consultations/new?call={answered_call}").get_data(as_text=True)
    assert (selected(form, "mode"), selected(form, "mission"), selected(form, "referral_source")) == (
        "telephone",
        "prevention_expulsion",
        "numero_vert",
    )
    assert (value(form, "commune"), value(form, "date"), value(form, "time")) == ("Lens (62300)", "2026-11-20", "10:30")
    assert value(form, "duration_minutes") == "12"
    assert value(form, "household_id") == str(household.id)
    token = csrf_token(client, f"/consultations/new?call={answered_call}")
    household_id = str(household.id)
    data = {
        "csrf_token": token,
        "call_id": str(answered_call),
        "household_id": household_id,
        "date": "2026-11-20",
        "time": "10:30",
        "mission": "prevention_expulsion",
        "mode": "telephone",
        "consultant_type": "particulier",
        "commune": "62498",
        "occupancy_status": "locataire",
        "housing_sector": "social",
        "family_situation": "inconnu",
        "age_band": "inconnu",
        "resource_band": "inconnu",
        "referral_source": "numero_vert",
        "procedure_stage": "assignation",
    }
    response = client.post(f"/consultations/new?call={answered_call}", data=data)
    assert response.status_code == 302
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.call_id.is_not(None)))
        assert consultation.call_id == answered_call
        assert consultation.household.name == "Famille Appelante"
    assert "Rien à saisir." in client.get("/calls/").get_data(as_text=True)


def test_call_closed_without_consultation(client, jurist, login, answered_call, app):
    login(jurist)
    token = csrf_token(client, "/calls/")
    refused = client.post(
        f"/calls/{answered_call}/close", data={"csrf_token": token, "reason": ""}, follow_redirects=True
    )
    assert "Choisissez un motif." in refused.get_data(as_text=True)
    client.post(f"/calls/{answered_call}/close", data={"csrf_token": token, "reason": "wrong_number"})
    with app.app_context():
        call = db.session.get(Call, answered_call)
        assert (call.closed_reason, call.closed_by_id) == ("wrong_number", jurist.id)


def test_claim_and_complete_a_callback(client, jurist, make_user, login, voicemail_task, app):
    other = make_user("jurist", name="Autre Juriste")
    login(jurist)
    page = client.get("/calls/").get_data(as_text=True)
    assert "Boulonnais" in page and "Écouter (42 s)" in page
    token = csrf_token(client, "/calls/")
    client.post(f"/calls/tasks/{voicemail_task}/claim", data={"csrf_token": token})
    client.post("/logout", data={"csrf_token": token})
    login(other)
    token = csrf_token(client, "/calls/")
    taken = client.post(
        f"/calls/tasks/{voicemail_task}/done", data={"csrf_token": token, "result": "reached"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "pris en charge par Julie Juriste" in taken
    client.post("/logout", data={"csrf_token": token})
    login(jurist)
    token = csrf_token(client, "/calls/")
    client.post(
        f"/calls/tasks/{voicemail_task}/done",
        data={"csrf_token": token, "result": "reached", "comment": "Orientée vers le FSL"},
    )
    with app.app_context():
        task = db.session.get(CallbackTask, voicemail_task)
        assert (task.status, task.result, task.claimed_by_id, task.comment) == (
            "done",
            "reached",
            jurist.id,
            "Orientée vers le FSL",
        )
    assert "Aucun rappel en attente." in client.get("/calls/").get_data(as_text=True)


def test_manager_sees_masked_numbers_and_cannot_act(client, make_user, login, voicemail_task):
    login(make_user("manager"))
    page = client.get("/calls/").get_data(as_text=True)
    assert "+33655555555" not in page and "+33 •• •• •• 55" in page
    token = csrf_token(client, "/calls/")
    assert client.post(f"/calls/tasks/{voicemail_task}/claim", data={"csrf_token": token}).status_code == 403


def test_jurist_of_another_mission_cannot_take_the_task(client, make_user, login, voicemail_task):
    login(make_user("jurist", missions=("info_logement",)))
    assert "Aucun rappel en attente." in client.get("/calls/").get_data(as_text=True)
    token = csrf_token(client, "/calls/")
    assert client.post(f"/calls/tasks/{voicemail_task}/claim", data={"csrf_token": token}).status_code == 403


def test_manager_reads_the_task_status_in_french(client, make_user, login, voicemail_task):
    login(make_user("manager"))
    page = client.get("/calls/").get_data(as_text=True)
    assert "À faire" in page and ">open<" not in page


@pytest.mark.parametrize("number", ["9" * 20, "9" * 5000, "²"])
def test_absurd_identifiers_are_not_found(client, jurist, login, number):
    login(jurist)
    token = csrf_token(client, "/calls/")
    for url in (f"/calls/tasks/{number}/claim", f"/calls/tasks/{number}/done", f"/calls/{number}/close"):
        assert client.post(url, data={"csrf_token": token, "result": "reached", "reason": "other"}).status_code == 404
    assert client.get(f"/consultations/new?call={number}").status_code == 200


@pytest.fixture
def task_without_mission(app):
    """The caller never chose a mission, then left a message."""
    return voicemail(
        app,
        call_sid="CAnomission",
        from_number="+33655555556",
        recording_url="https://api.twilio.com/rec/RE2",
        recording_seconds=30,
    )


def test_a_callback_without_mission_is_worked_by_the_jurists_of_both_missions(
    client, app, make_user, login, task_without_mission
):
    login(make_user("jurist", missions=("info_logement",)))
    assert "Aucun rappel en attente." in client.get("/calls/").get_data(as_text=True)
    token = csrf_token(client, "/calls/")
    assert client.post(f"/calls/tasks/{task_without_mission}/claim", data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    both = make_user("jurist", missions=("info_logement", "prevention_expulsion"))
    login(both)
    assert "Je m'en occupe" in client.get("/calls/").get_data(as_text=True)
    token = csrf_token(client, "/calls/")
    assert client.post(f"/calls/tasks/{task_without_mission}/claim", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        task = db.session.get(CallbackTask, task_without_mission)
        assert (task.status, task.claimed_by_id) == ("claimed", both.id)
