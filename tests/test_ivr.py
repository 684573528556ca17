"""The voice menu: signatures, every branch with any keys, routing, queue, voicemail, the call log."""

import threading
from datetime import date, time

import pytest
from conftest import EVICTION_NUMBER, INFO_NUMBER, TOKEN, twiml
from sqlalchemy import func, select

from hotline.core.opening import Closure
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.ivr.security import sign
from hotline.permanences import services as permanences
from hotline.permanences.models import DutyShift

OPEN = "2026-12-01T10:00"  # a Tuesday morning, Paris time
CLOSED = "2026-12-01T20:00"
STEPS = [
    "/ivr/voice",
    "/ivr/mission",
    "/ivr/mission/choice",
    "/ivr/mission/social-worker",
    "/ivr/mission/social-worker/choice",
    "/ivr/postal",
    "/ivr/postal/choice",
    "/ivr/commune",
    "/ivr/commune/choice",
    "/ivr/out-of-department",
    "/ivr/out-of-department/choice",
    "/ivr/route",
    "/ivr/dial-result",
    "/ivr/queue",
    "/ivr/queue/choice",
    "/ivr/closed",
    "/ivr/voicemail",
    "/ivr/voicemail/choice",
    "/ivr/voicemail/recorded",
    "/ivr/self-service",
    "/ivr/self-service/choice",
    "/ivr/self-service/after",
    "/ivr/whisper",
    "/ivr/whisper/accept",
    "/ivr/status",
    "/ivr/fallback",
]
JUNK = ["", "*", "#", "9" * 200, "abc", "0", "1#", "62200", "99999"]


@pytest.fixture
def roster(app, make_user):
    """Two Boulonnais jurists and one for Lens-Hénin, on duty on weekdays from 9:00 to 17:00."""
    users = {
        "boulonnais": [
            make_user("jurist", phone="+33612345601", territories=("boulonnais",), name="Claire"),
            make_user("jurist", phone="+33612345602", territories=("boulonnais",), name="Julien"),
        ],
        "lens-henin": [make_user("jurist", phone="+33612345603", territories=("lens-henin",), name="Sophie")],
    }
    with app.app_context():
        for territory, members in users.items():
            for user in members:
                for mission in ("info_logement", "prevention_expulsion"):
                    for day in range(5):
                        db.session.add(
                            DutyShift(
                                user_id=user.id,
                                mission=mission,
                                territory_code=territory,
                                weekday=day,
                                starts=time(9),
                                ends=time(17),
                            )
                        )
        db.session.commit()
    return users


def at(app, moment):
    app.config["FIXED_NOW"] = moment


def call_row(app, sid):
    with app.app_context():
        row = db.session.scalar(select(Call).where(Call.call_sid == sid))
        if row is not None:
            db.session.expunge(row)
        return row


def redirect_target(root):
    redirect = root.find("Redirect")
    return redirect.text if redirect is not None else None


def says(root):
    return " ".join(el.text or "" for el in root.iter("Say"))


# --- signatures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", STEPS)
def test_unsigned_request_is_refused(client, path):
    response = client.post(path, data={"CallSid": "CA1", "From": "+33612000000"})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/ivr/voice", "/ivr/postal/choice", "/ivr/status", "/ivr/fallback"])
def test_tampered_or_wrongly_signed_request_is_refused(client, path):
    params = {"CallSid": "CA1", "From": "+33612000000", "To": INFO_NUMBER, "Digits": "62200"}
    signature = sign("http://localhost" + path, params, TOKEN)
    tampered = dict(params, Digits="62100")
    assert client.post(path, data=tampered, headers={"X-Twilio-Signature": signature}).status_code == 403
    other = sign("http://localhost" + path, params, "not-the-token")
    assert client.post(path, data=params, headers={"X-Twilio-Signature": other}).status_code == 403
    elsewhere = sign("http://localhost/ivr/other", params, TOKEN)
    assert client.post(path, data=params, headers={"X-Twilio-Signature": elsewhere}).status_code == 403


def test_signature_is_checked_against_the_public_url(app, client):
    params = {"CallSid": "CApublic", "From": "+33612000000", "To": INFO_NUMBER}
    app.config["PUBLIC_URL"] = "https://hotline.example.org"
    good = sign("https://hotline.example.org/ivr/voice", params, TOKEN)
    assert client.post("/ivr/voice", data=params, headers={"X-Twilio-Signature": good}).status_code == 200
    local = sign("http://localhost/ivr/voice", params, TOKEN)
    assert client.post("/ivr/voice", data=params, headers={"X-Twilio-Signature": local}).status_code == 403


def test_webhooks_need_no_csrf_are_never_rate_limited_and_set_no_cookie(twilio):
    responses = [twilio("/ivr/voice", CallSid=f"CA{i}") for i in range(40)]
    assert {r.status_code for r in responses} == {200}
    assert not any(r.headers.get("Set-Cookie") or r.headers.get("X-RateLimit-Limit") for r in responses)


# --- every branch, whatever the keys ----------------------------------------------------------------


@pytest.mark.parametrize("path", [p for p in STEPS if p not in ("/ivr/status",)])
@pytest.mark.parametrize("digits", JUNK)
def test_every_step_answers_valid_twiml_whatever_the_keys(app, twilio, roster, path, digits):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAjunk")
    response = twilio(
        path, CallSid="CAjunk", Digits=digits, SpeechResult=digits, ParentCallSid="CAjunk", DialCallStatus="no-answer"
    )
    root = twiml(response)
    assert len(root) > 0 or path == "/ivr/whisper/accept", "an empty answer would be silence"
    # A caller's step always leads somewhere: a question, a redirect, a dial, a recording or goodbye.
    assert {el.tag for el in root} & {"Gather", "Redirect", "Dial", "Record", "Hangup"} or path == "/ivr/whisper/accept"


@pytest.mark.parametrize(
    "question,answer",
    [
        ("/ivr/mission", "/ivr/mission/choice"),
        ("/ivr/postal", "/ivr/postal/choice"),
        ("/ivr/mission/social-worker", "/ivr/mission/social-worker/choice"),
    ],
)
@pytest.mark.parametrize("digits", ["*", "#", "9" * 200, ""])
def test_junk_keys_get_the_question_again_then_the_general_pool(app, twilio, roster, question, answer, digits):
    at(app, OPEN)
    sid = f"CA-{abs(hash((question, digits)))}"
    twilio("/ivr/voice", CallSid=sid)
    for attempt in range(1, 4):
        root = twiml(twilio(answer, CallSid=sid, Digits=digits))
        if attempt < 3:
            assert redirect_target(root) == question
            assert "compris" in says(root) or "entendu" in says(root) or "reconnu" in says(root)
        else:
            assert redirect_target(root) == "/ivr/route"
            assert "premier juriste disponible" in says(root)
    assert "pool_general" in call_row(app, sid).path.split(" > ")


def test_questions_gather_the_right_number_of_keys(twilio):
    mission = twiml(twilio("/ivr/mission", CallSid="CAq"))
    gather = mission.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("action") == "/ivr/mission/choice"
    assert "menacé d'expulsion" in says(mission)
    assert redirect_target(mission) == "/ivr/mission/choice"  # silence is handled like a wrong key
    postal = twiml(twilio("/ivr/postal", CallSid="CAq")).find("Gather")
    assert postal.get("numDigits") == "5" and postal.get("finishOnKey") == "#"
    voice_attrs = mission.find("Gather/Say").attrib
    assert voice_attrs == {"voice": "Polly.Lea", "language": "fr-FR"}


def test_greeting_has_the_data_protection_notice_and_number_maps_to_mission(app, twilio):
    general = twiml(twilio("/ivr/voice", CallSid="CAg1", To=INFO_NUMBER))
    assert "ligne d'information sur le logement" in says(general)
    assert "Vos réponses servent uniquement à traiter votre appel" in says(general)
    assert redirect_target(general) == "/ivr/mission"
    green = twiml(twilio("/ivr/voice", CallSid="CAg2", To=EVICTION_NUMBER))
    assert "ligne de prévention des expulsions" in says(green) and "données personnelles" in says(green)
    assert redirect_target(green) == "/ivr/postal"
    assert call_row(app, "CAg2").mission == "prevention_expulsion"


def test_social_worker_path_sets_consultant_type(app, twilio):
    twilio("/ivr/voice", CallSid="CAsw")
    assert (
        redirect_target(twiml(twilio("/ivr/mission/choice", CallSid="CAsw", Digits="3")))
        == "/ivr/mission/social-worker"
    )
    assert (
        redirect_target(twiml(twilio("/ivr/mission/social-worker/choice", CallSid="CAsw", Digits="1"))) == "/ivr/postal"
    )
    row = call_row(app, "CAsw")
    assert (row.mission, row.consultant_type) == ("prevention_expulsion", "travailleur_social")


# --- territory ------------------------------------------------------------------------------------


def test_shared_postal_code_asks_for_the_commune_by_speech_or_number(app, twilio, roster):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAc", To=EVICTION_NUMBER)
    root = twiml(twilio("/ivr/postal/choice", CallSid="CAc", Digits="62179"))
    assert redirect_target(root) == "/ivr/commune"
    menu = twiml(twilio("/ivr/commune", CallSid="CAc"))
    gather = menu.find("Gather")
    assert gather.get("input") == "dtmf speech" and "Escalles" in gather.get("hints")
    assert "Pour Escalles, tapez 2." in says(menu)
    chosen = twiml(twilio("/ivr/commune/choice", CallSid="CAc", SpeechResult="Escalles."))
    assert redirect_target(chosen) == "/ivr/route"
    row = call_row(app, "CAc")
    assert (row.commune_insee, row.territory_code) == ("62307", "calaisis")
    twilio("/ivr/voice", CallSid="CAc2", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAc2", Digits="62179")
    twiml(twilio("/ivr/commune/choice", CallSid="CAc2", Digits="5"))
    assert call_row(app, "CAc2").territory_code == "boulonnais"


def test_postal_code_outside_the_department(app, twilio, roster):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAo", To=EVICTION_NUMBER)
    assert (
        redirect_target(twiml(twilio("/ivr/postal/choice", CallSid="CAo", Digits="75011"))) == "/ivr/out-of-department"
    )
    info = twiml(twilio("/ivr/out-of-department", CallSid="CAo"))
    assert "SOS Loyers Impayés" in says(info) and "0 805, 16, 00, 75" in says(info)
    assert redirect_target(twiml(twilio("/ivr/out-of-department/choice", CallSid="CAo", Digits="1"))) == "/ivr/route"
    dial = twiml(twilio("/ivr/route", CallSid="CAo"))
    rung = {n.text for n in dial.findall("Dial/Number")}
    assert rung == {"+33612345601", "+33612345602", "+33612345603"}  # the general pool
    assert call_row(app, "CAo").territory_code == "hors_departement"


# --- routing --------------------------------------------------------------------------------------


def test_call_in_opening_hours_rings_the_boulonnais_jurists(app, runner, roster):
    result = runner.invoke(args=["ivr", "simulate", "--write", "--at", OPEN, "--to", INFO_NUMBER, "--keys", "1 62200"])
    assert result.exit_code == 0, result.output
    assert "sonnerie : Claire (+33612345601), Julien (+33612345602)" in result.output
    assert "Sophie" not in result.output.split("sonnerie")[1].split("\n")[0]
    with app.app_context():
        rows = list(db.session.scalars(select(Call)))
        assert len(rows) == 1
        row = rows[0]
        assert (row.outcome, row.mission, row.territory_code, row.answered_by_id) == (
            "answered",
            "prevention_expulsion",
            "boulonnais",
            roster["boulonnais"][0].id,
        )
        # 300 s of conversation, then the goodbye (the simulator's clock moves while the caller listens)
        assert 300 <= row.talk_seconds <= 305 and row.wait_seconds > 0 and row.ended_at is not None


def test_call_outside_hours_ends_in_the_voicemail(app, runner, roster):
    result = runner.invoke(
        args=["ivr", "simulate", "--write", "--at", CLOSED, "--to", INFO_NUMBER, "--keys", "1 62200 1"]
    )
    assert result.exit_code == 0, result.output
    assert "Il rouvre demain de 9 heures à 12 heures 30 et de 13 heures 30 à 17 heures." in result.output
    assert "message enregistré" in result.output and "sonnerie" not in result.output
    with app.app_context():
        row = db.session.scalar(select(Call))
        assert row.outcome == "closed" and row.recording_url.startswith("https://api.twilio.com/")
        task = db.session.scalar(select(CallbackTask))
        assert (task.call_id, task.kind, task.status) == (row.id, "voicemail", "open")
        assert db.session.query(Call).count() == 1


def test_the_simulator_writes_nothing_to_the_database_unless_told(app, runner, roster):
    result = runner.invoke(args=["ivr", "simulate", "--at", OPEN, "--to", INFO_NUMBER, "--keys", "1 62200"])
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        assert db.session.scalar(select(func.count()).select_from(Call)) == 0
    if postgresql:  # no copy to make: refused, unless --write
        assert result.exit_code != 0 and "--write" in result.output
        return
    assert result.exit_code == 0, result.output
    assert "sonnerie : Claire (+33612345601), Julien (+33612345602)" in result.output  # the roster of the copy
    assert "issue=answered" in result.output and "rien n'a été enregistré" in result.output


def test_dial_whisper_and_answer(app, twilio, roster):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAd", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAd", Digits="62200")
    dial = twiml(twilio("/ivr/route", CallSid="CAd")).find("Dial")
    assert dial.get("action") == "/ivr/dial-result" and dial.get("timeout") == "20"
    numbers = dial.findall("Number")
    assert [n.text for n in numbers] == ["+33612345601", "+33612345602"]
    whisper = twiml(twilio(numbers[1].get("url"), CallSid="CAleg", ParentCallSid="CAd"))
    assert "Boulonnais" in says(whisper) and "appuyez sur 1" in says(whisper).lower()
    assert whisper[-1].tag == "Hangup"  # no key: a personal voicemail cannot take the call
    refused = twiml(twilio(whisper.find("Gather").get("action"), CallSid="CAleg", ParentCallSid="CAd", Digits=""))
    assert refused.find("Hangup") is not None
    accepted = twiml(twilio(whisper.find("Gather").get("action"), CallSid="CAleg", ParentCallSid="CAd", Digits="1"))
    assert len(accepted) == 0  # an empty response bridges the call
    assert call_row(app, "CAd").answered_by_id == roster["boulonnais"][1].id


def test_sequential_ringing(app, twilio, roster):
    at(app, OPEN)
    app.config["IVR_RING_STRATEGY"] = "sequential"
    twilio("/ivr/voice", CallSid="CAs", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAs", Digits="62200")
    first = twiml(twilio("/ivr/route", CallSid="CAs"))
    assert [n.text for n in first.findall("Dial/Number")] == ["+33612345601"]
    second = twiml(twilio(first.find("Dial").get("action"), CallSid="CAs", DialCallStatus="no-answer"))
    assert [n.text for n in second.findall("Dial/Number")] == ["+33612345602"]
    third = twiml(twilio(second.find("Dial").get("action"), CallSid="CAs", DialCallStatus="busy"))
    assert redirect_target(third) == "/ivr/queue"


def test_at_most_ten_jurists_are_rung_at_once(app, twilio, make_user):
    at(app, OPEN)
    with app.app_context():
        for i in range(12):
            user = make_user("jurist", phone=f"+336123457{i:02d}")
            db.session.add(
                DutyShift(
                    user_id=user.id,
                    mission="info_logement",
                    territory_code=None,
                    weekday=1,
                    starts=time(8),
                    ends=time(18),
                )
            )
        db.session.commit()
    twilio("/ivr/voice", CallSid="CAten")
    twilio("/ivr/mission/choice", CallSid="CAten", Digits="2")
    twilio("/ivr/postal/choice", CallSid="CAten", Digits="62500")
    assert len(twiml(twilio("/ivr/route", CallSid="CAten")).findall("Dial/Number")) == 10


def test_queue_tells_the_position_then_voicemail_after_the_maximum_wait(app, twilio, roster):
    at(app, OPEN)
    for sid in ("CAq1", "CAq2"):
        twilio("/ivr/voice", CallSid=sid, To=EVICTION_NUMBER)
        twilio("/ivr/postal/choice", CallSid=sid, Digits="62200")
        twiml(twilio("/ivr/dial-result", CallSid=sid, DialCallStatus="no-answer"))
    first = twiml(twilio("/ivr/queue", CallSid="CAq1"))
    at(app, "2026-12-01T10:00:30")
    second = twiml(twilio("/ivr/queue", CallSid="CAq2"))
    assert "Vous êtes le premier appel en attente" in says(first)
    assert "Il y a 1 appel avant le vôtre" in says(second)
    assert first.find("Pause") is None and redirect_target(second) == "/ivr/route"  # ringing again, no silence
    at(app, "2026-12-01T10:04:00")
    late = twiml(twilio("/ivr/queue", CallSid="CAq1"))
    assert redirect_target(late) == "/ivr/voicemail"


def test_nobody_on_duty_goes_to_voicemail(app, twilio):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAn", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAn", Digits="62200")
    root = twiml(twilio("/ivr/route", CallSid="CAn"))
    assert redirect_target(root) == "/ivr/voicemail" and "Aucun juriste" in says(root)


def test_holiday_and_exceptional_closure_close_the_line(app, twilio, roster):
    at(app, "2026-12-25T10:00")
    twilio("/ivr/voice", CallSid="CAh", To=EVICTION_NUMBER)
    assert redirect_target(twiml(twilio("/ivr/route", CallSid="CAh"))) == "/ivr/closed"
    closed = twiml(twilio("/ivr/closed", CallSid="CAh"))
    assert "lundi 28 décembre de 9 heures à" in says(closed)
    with app.app_context():
        db.session.add(
            Closure(mission=None, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1), reason="Formation")
        )
        db.session.commit()
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAx", To=EVICTION_NUMBER)
    assert redirect_target(twiml(twilio("/ivr/route", CallSid="CAx"))) == "/ivr/closed"


def test_callback_request(app, twilio):
    twilio("/ivr/voice", CallSid="CAcb", To=EVICTION_NUMBER, From="+33611111111")
    root = twiml(twilio("/ivr/voicemail/choice", CallSid="CAcb", Digits="2"))
    assert "vous rappellera" in says(root) and root[-1].tag == "Hangup"
    with app.app_context():
        task = db.session.scalar(select(CallbackTask))
        assert task.kind == "callback_request"
    assert call_row(app, "CAcb").outcome == "callback_requested"


def test_anonymous_caller_is_offered_the_voicemail_only(twilio):
    twilio("/ivr/voice", CallSid="CAanon", From="anonymous")
    root = twiml(twilio("/ivr/voicemail", CallSid="CAanon", From="anonymous"))
    record = root.find("Record")
    assert record is not None and record.get("maxLength") == "120" and record.get("action") == "/ivr/voicemail/recorded"


def test_empty_recording_still_leaves_a_callback_task(app, twilio):
    twilio("/ivr/voice", CallSid="CAe")
    root = twiml(twilio("/ivr/voicemail/recorded", CallSid="CAe"))
    assert "Nous n'avons pas reçu de message" in says(root)
    with app.app_context():
        assert db.session.scalar(select(CallbackTask.kind)) == "missed"


# --- status callbacks -------------------------------------------------------------------------------


def test_repeated_status_callback_leaves_one_consistent_row(app, twilio, roster):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CArep", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CArep", Digits="62200")
    twilio("/ivr/route", CallSid="CArep")
    at(app, "2026-12-01T10:02:00")
    twiml(twilio("/ivr/status", CallSid="CArep", CallStatus="completed", CallDuration="120"))
    first = call_row(app, "CArep")
    at(app, "2026-12-01T10:09:00")
    twiml(twilio("/ivr/status", CallSid="CArep", CallStatus="completed", CallDuration="120"))
    again = call_row(app, "CArep")
    assert (first.ended_at, first.outcome, first.wait_seconds) == (again.ended_at, again.outcome, again.wait_seconds)
    assert again.outcome == "missed" and again.wait_seconds == 120
    with app.app_context():
        assert db.session.query(CallbackTask).count() == 1


def test_concurrent_status_callbacks_change_the_row_once(app, roster):
    at(app, OPEN)
    base = {"CallSid": "CAcc", "From": "+33612000000", "To": EVICTION_NUMBER}
    clients = [app.test_client() for _ in range(6)]

    def post(client, path, **extra):
        params = base | extra
        return client.post(
            path, data=params, headers={"X-Twilio-Signature": sign("http://localhost" + path, params, TOKEN)}
        )

    post(clients[0], "/ivr/voice")
    post(clients[0], "/ivr/postal/choice", Digits="62200")
    post(clients[0], "/ivr/route")
    barrier = threading.Barrier(len(clients))
    codes = []

    def worker(client):
        barrier.wait()
        codes.append(post(client, "/ivr/status", CallStatus="completed").status_code)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * len(clients)
    with app.app_context():
        assert db.session.query(Call).count() == 1
        assert db.session.query(CallbackTask).count() == 1
        assert db.session.scalar(select(Call.outcome)) == "missed"


def test_status_for_an_unknown_call_is_logged(app, twilio):
    twiml(twilio("/ivr/status", CallSid="CAunknown", CallStatus="completed"))
    assert call_row(app, "CAunknown").outcome == "backup"


def test_caller_hanging_up_in_the_menu_is_abandoned(app, twilio):
    twilio("/ivr/voice", CallSid="CAab")
    twiml(twilio("/ivr/status", CallSid="CAab", CallStatus="completed"))
    row = call_row(app, "CAab")
    assert row.outcome == "abandoned" and row.path == "accueil"


def test_territory_jurists_first_then_the_general_pool(app, twilio, roster, make_user):
    at(app, OPEN)
    pool = make_user("jurist", phone="+33612345699", territories=("ternois",), name="Pool")
    with app.app_context():
        db.session.add(
            DutyShift(
                user_id=pool.id,
                mission="prevention_expulsion",
                territory_code=None,
                weekday=1,
                starts=time(9),
                ends=time(17),
            )
        )
        db.session.commit()
    twilio("/ivr/voice", CallSid="CAp1", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAp1", Digits="62200")
    rung = [n.text for n in twiml(twilio("/ivr/route", CallSid="CAp1")).findall("Dial/Number")]
    assert rung == ["+33612345601", "+33612345602"]  # Boulonnais jurists only
    twilio("/ivr/voice", CallSid="CAp2", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAp2", Digits="62100")  # Calais: nobody of its own on duty
    rung = [n.text for n in twiml(twilio("/ivr/route", CallSid="CAp2")).findall("Dial/Number")]
    assert rung == ["+33612345699"]


# --- the call log's statements ---------------------------------------------------------------------


def test_a_postal_code_before_the_entry_makes_the_row(app, twilio, roster):
    """Twilio's requests out of order: the postal step makes the call's row, the entry then keeps it."""
    at(app, OPEN)
    twilio("/ivr/postal/choice", CallSid="CAorder", To=EVICTION_NUMBER, Digits="62200")
    twilio("/ivr/voice", CallSid="CAorder", To=EVICTION_NUMBER)
    row = call_row(app, "CAorder")
    assert row.path == "accueil > numero:prevention_expulsion > code_postal:62200"
    assert (row.mission, row.territory_code, row.commune_insee, row.outcome) == (
        "prevention_expulsion",
        "boulonnais",
        "62160",
        "in_progress",
    )


def test_only_small_url_encoded_forms_are_read(app, client):
    """Twilio posts small url-encoded forms: a larger body is refused (413), another type is not signed."""
    params = {"CallSid": "CAbig", "From": "+33612000000", "To": INFO_NUMBER, "Padding": "x" * 70_000}
    signature = sign("http://localhost/ivr/voice", params, TOKEN)
    assert client.post("/ivr/voice", data=params, headers={"X-Twilio-Signature": signature}).status_code == 413
    small = {"CallSid": "CAjson", "From": "+33612000000", "To": INFO_NUMBER}
    signature = sign("http://localhost/ivr/voice", small, TOKEN)
    assert client.post("/ivr/voice", json=small, headers={"X-Twilio-Signature": signature}).status_code == 403
    assert client.post("/ivr/voice", data=small, headers={"X-Twilio-Signature": signature}).status_code == 200


def test_status_right_after_the_entry_finds_its_row(app, client):
    """A caller hanging up at once: the call is logged as abandoned."""

    def post(path, **params):
        data = {"CallSid": "CAquick", "From": "+33612000000", "To": INFO_NUMBER} | params
        return client.post(
            path, data=data, headers={"X-Twilio-Signature": sign("http://localhost" + path, data, TOKEN)}
        )

    post("/ivr/voice")
    post("/ivr/status", CallStatus="completed")
    row = call_row(app, "CAquick")
    assert (row.outcome, row.path) == ("abandoned", "accueil")


def boulogne_permanence(app, holder_id: int, starts: time = time(9), ends: time = time(12)) -> None:
    """A weekly permanence of the eviction mission at the CCAS of Boulogne-sur-Mer, on Wednesdays."""
    with app.app_context():
        permanences.save(
            None,
            commune_insee="62160",
            name="CCAS de Boulogne-sur-Mer",
            address="place Godefroy de Bouillon",
            mission="prevention_expulsion",
            user_id=holder_id,
            frequency="weekly",
            weekday=2,
            week_of_month=None,
            starts=starts,
            ends=ends,
            first_day=date(2026, 11, 1),
            last_day=None,
            active=True,
        )
        db.session.commit()


def test_a_closed_line_tells_the_next_permanence_of_the_callers_territory(app, twilio, make_user):
    boulogne_permanence(app, make_user("jurist").id)
    at(app, CLOSED)  # Tuesday 1 December, 20:00
    twilio("/ivr/voice", CallSid="CAperm", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAperm", To=EVICTION_NUMBER, Digits="62200")
    heard = says(twiml(twilio("/ivr/closed", CallSid="CAperm", To=EVICTION_NUMBER)))
    assert "Il rouvre demain de 9 heures à 12 heures 30 et de 13 heures 30 à 17 heures." in heard
    assert (
        "Un juriste tient aussi une permanence demain de 9 heures à 12 heures, sur rendez-vous : "
        "CCAS de Boulogne-sur-Mer, place Godefroy de Bouillon."
    ) in heard
    twilio("/ivr/voice", CallSid="CAlens", To=EVICTION_NUMBER)
    twilio("/ivr/postal/choice", CallSid="CAlens", To=EVICTION_NUMBER, Digits="62300")
    assert "permanence" not in says(twiml(twilio("/ivr/closed", CallSid="CAlens", To=EVICTION_NUMBER)))
