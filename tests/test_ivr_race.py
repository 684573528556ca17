"""Nothing lost: every step's statement is committed in its request, in whatever order Twilio's
requests land, and odd inputs never lose a call."""

import threading

from conftest import EVICTION_NUMBER, INFO_NUMBER, TOKEN, twiml
from sqlalchemy import event, func, select
from test_ivr import call_row as row

from hotline import create_app
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.ivr.security import sign

BACKUP = "+33321000000"


def tasks(app, sid):
    with app.app_context():
        return list(db.session.scalars(select(CallbackTask.kind).join(Call).where(Call.call_sid == sid)))


def dials_backup(response) -> bool:
    dial = twiml(response).find("Dial")
    return dial is not None and (dial.text or "").strip() == BACKUP


def test_status_before_the_entry_keeps_the_caller_and_the_mission(app, twilio):
    """/ivr/status lands (worker B) before the entry's row (worker A): the entry completes the row."""
    app.config["FIXED_NOW"] = "2026-12-01T10:00:05"
    twiml(twilio("/ivr/status", CallSid="CAorder", To=EVICTION_NUMBER, From="+33611111111", CallStatus="completed"))
    app.config["FIXED_NOW"] = "2026-12-01T10:00:00"
    twiml(twilio("/ivr/voice", CallSid="CAorder", To=EVICTION_NUMBER, From="+33611111111"))
    call = row(app, "CAorder")
    assert (call.from_number, call.to_number, call.mission) == ("+33611111111", EVICTION_NUMBER, "prevention_expulsion")
    assert call.outcome == "abandoned" and call.twilio_status == "completed"
    assert call.path == "accueil > numero:prevention_expulsion"
    assert call.wait_seconds == 5 and call.ended_at is not None
    assert tasks(app, "CAorder") == []  # hung up in the greeting: nobody to call back


def test_status_before_routing_lands_still_files_the_missed_call(app, twilio):
    """The caller hangs up while routing is being answered: the call was missed, and is called back."""
    app.config["FIXED_NOW"] = "2026-12-01T10:00"
    twilio("/ivr/voice", CallSid="CAlate", To=EVICTION_NUMBER, From="+33611111111")
    twilio("/ivr/postal/choice", CallSid="CAlate", To=EVICTION_NUMBER, From="+33611111111", Digits="62200")
    twiml(twilio("/ivr/status", CallSid="CAlate", To=EVICTION_NUMBER, CallStatus="completed"))
    twiml(twilio("/ivr/route", CallSid="CAlate", To=EVICTION_NUMBER, From="+33611111111"))
    call = row(app, "CAlate")
    assert (call.outcome, call.mission, call.territory_code) == ("missed", "prevention_expulsion", "boulonnais")
    assert tasks(app, "CAlate") == ["missed"]


def test_a_healthy_but_slow_database_sends_nobody_to_the_backup(app):
    """Concurrent callers while the database answers (slowly): each gets the menu, none the backup."""
    fresh = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "BACKUP_NUMBER": BACKUP,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "IVR_DB_TIMEOUT_SECONDS": 2.0,
        }
    )
    voice = fresh.extensions["hotline.voice"]
    with voice.app_context():
        engine = db.engine

    def slow(*_args):
        threading.Event().wait(0.05)

    # Each step's connection is slow to give.
    event.listen(engine, "checkout", slow)
    barrier, answers = threading.Barrier(8), []

    def caller(n):
        params = {"CallSid": f"CAslow{n}", "From": "+33612000000", "To": INFO_NUMBER}
        client = fresh.test_client()
        barrier.wait()
        answers.append(
            client.post(
                "/ivr/voice",
                data=params,
                headers={"X-Twilio-Signature": sign("http://localhost/ivr/voice", params, TOKEN)},
            )
        )

    try:
        threads = [threading.Thread(target=caller, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        event.remove(engine, "checkout", slow)
    assert [dials_backup(answer) for answer in answers] == [False] * 8
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Call).where(Call.call_sid.like("CAslow%"))) == 8


def test_a_request_without_call_sid_writes_no_row(app, client):
    """They would all share one row (call_sid ''): the caller goes to the backup, a status is refused."""
    app.config["BACKUP_NUMBER"] = BACKUP
    for path in ("/ivr/voice", "/ivr/postal/choice", "/ivr/mission/choice", "/ivr/route", "/ivr/status"):
        for sid in (None, "", "CA" + "f" * 5000):
            params = {"From": "+33612000000", "To": INFO_NUMBER, "Digits": "62200", "CallStatus": "completed"}
            if sid is not None:
                params["CallSid"] = sid
            response = client.post(
                path, data=params, headers={"X-Twilio-Signature": sign("http://localhost" + path, params, TOKEN)}
            )
            if path == "/ivr/status":
                assert response.status_code == 400
            else:
                assert dials_backup(response), path
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Call)) == 0


def test_five_thousand_digits_are_a_wrong_answer_not_an_error(app, twilio):
    app.config["BACKUP_NUMBER"] = BACKUP
    app.config["FIXED_NOW"] = "2026-12-01T10:00"
    twilio("/ivr/voice", CallSid="CAlong", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAlong", To=EVICTION_NUMBER, Digits="62179")
    for path in ("/ivr/commune/choice", "/ivr/postal/choice", "/ivr/voicemail/choice"):
        response = twilio(path, CallSid="CAlong", To=EVICTION_NUMBER, Digits="7" * 5000, SpeechResult="7" * 5000)
        assert not dials_backup(response), path
        assert twiml(response).find("Redirect") is not None


def test_an_absurd_recording_duration_still_logs_the_voicemail(app, twilio):
    app.config["BACKUP_NUMBER"] = BACKUP
    twilio("/ivr/voice", CallSid="CArec", From="+33611111111")
    response = twilio(
        "/ivr/voicemail/recorded",
        CallSid="CArec",
        From="+33611111111",
        RecordingUrl="https://api.twilio.com/rec/RE1",
        RecordingDuration="99999999999999999999",
    )
    assert not dials_backup(response)
    call = row(app, "CArec")
    assert (call.outcome, call.recording_url, call.recording_seconds) == (
        "voicemail",
        "https://api.twilio.com/rec/RE1",
        None,
    )
    assert tasks(app, "CArec") == ["voicemail"]


def test_the_entry_row_is_committed_before_twilio_gets_the_answer(app, client):
    params = {"CallSid": "CAnow", "From": "+33612000000", "To": INFO_NUMBER}
    response = client.post(
        "/ivr/voice", data=params, headers={"X-Twilio-Signature": sign("http://localhost/ivr/voice", params, TOKEN)}
    )
    assert response.status_code == 200
    assert row(app, "CAnow").path == "accueil"  # read at once, from another connection
