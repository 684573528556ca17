"""Issue 16, item 7: the voice line says only what is true. The queue tells how long the caller has waited
and the calls before theirs, never that jurists are busy when none answered, never leaves silence, and
offers the voicemail or a callback by a key within 2 minutes; outside the department, silence is never a
yes: the message is said again, then the call ends politely with the numbers to call (Say, Hangup)."""

import re

import pytest
from conftest import EVICTION_NUMBER, twiml
from sqlalchemy import select
from test_ivr import OPEN, at, call_row, redirect_target, roster, says  # noqa: F401 (fixture)

from hotline.extensions import db
from hotline.ivr import prompts
from hotline.ivr.models import CallbackTask

BUSY = re.compile(r"sont en ligne|occupés|en communication|prochain appel à être servi", re.I)


def into_the_queue(twilio, sid, **params):
    twilio("/ivr/voice", CallSid=sid, To=EVICTION_NUMBER, **params)
    twilio("/ivr/postal/choice", CallSid=sid, Digits="62200", **params)
    first = twiml(twilio("/ivr/route", CallSid=sid, **params))
    assert first.find("Dial") is not None and prompts.CONNECTING in says(first)
    return first


@pytest.mark.parametrize(
    "seconds, said",
    [
        (0, "quelques secondes"),
        (25, "20 secondes"),
        (60, "1 minute"),
        (95, "1 minute et demie"),
        (150, "2 minutes et demie"),
    ],
)
def test_the_wait_is_said_as_a_person_would(seconds, said):
    assert prompts.waited(seconds) == said


def test_the_queue_tells_the_wait_from_the_first_ring_and_rings_again_without_a_pause(app, twilio, roster):
    at(app, OPEN)
    into_the_queue(twilio, "CAw")
    at(app, "2026-12-01T10:00:22")
    root = twiml(twilio("/ivr/queue", CallSid="CAw"))
    assert says(root).startswith(
        "Vous attendez depuis 20 secondes. Vous êtes le premier appel en attente. Aucun juriste n'a encore décroché."
    )
    assert not BUSY.search(says(root)) and root.find("Pause") is None and root.find("Gather") is None
    assert redirect_target(root) == "/ivr/route"
    again = twiml(twilio("/ivr/route", CallSid="CAw"))  # rung again: the caller hears it ring
    assert again.find("Dial") is not None and prompts.CONNECTING not in says(again)


def test_after_a_minute_a_key_leaves_a_message_or_asks_a_callback_and_silence_keeps_waiting(app, twilio, roster):
    at(app, OPEN)
    into_the_queue(twilio, "CAk")
    at(app, "2026-12-01T10:01:05")
    root = twiml(twilio("/ivr/queue", CallSid="CAk"))
    gather = root.find("Gather")
    assert "Vous attendez depuis 1 minute." in says(root) and not BUSY.search(says(root))
    assert gather is not None and gather.get("action") == "/ivr/queue/choice" and gather.get("numDigits") == "1"
    assert prompts.QUEUE_OFFER in " ".join(s.text for s in gather.iter("Say"))
    silence = twiml(twilio("/ivr/queue/choice", CallSid="CAk", Digits=""))
    assert redirect_target(silence) == "/ivr/route" and prompts.CALLING_AGAIN in says(silence)
    other = twiml(twilio("/ivr/queue/choice", CallSid="CAk", Digits="7"))
    assert redirect_target(other) == "/ivr/route"
    assert call_row(app, "CAk").outcome == "in_progress"
    callback = twiml(twilio("/ivr/queue/choice", CallSid="CAk", Digits="2"))
    assert [el.tag for el in callback] == ["Say", "Hangup"] and prompts.CALLBACK_CONFIRMED in says(callback)
    row = call_row(app, "CAk")
    assert row.outcome == "callback_requested" and row.path.endswith("file_attente > file_quittee > rappel_demande")
    with app.app_context():
        assert db.session.scalar(select(CallbackTask.kind).where(CallbackTask.call_id == row.id)) == "callback_request"


def test_key_1_in_the_queue_records_a_message(app, twilio, roster):
    at(app, OPEN)
    into_the_queue(twilio, "CAm")
    at(app, "2026-12-01T10:01:30")
    twiml(twilio("/ivr/queue", CallSid="CAm"))
    record = twiml(twilio("/ivr/queue/choice", CallSid="CAm", Digits="1"))
    assert record.find("Record") is not None and record.find("Record").get("action") == "/ivr/voicemail/recorded"
    done = twiml(
        twilio(
            "/ivr/voicemail/recorded",
            CallSid="CAm",
            RecordingUrl="https://api.twilio.com/rec/RE1",
            RecordingDuration="20",
        )
    )
    assert done[-1].tag == "Hangup" and call_row(app, "CAm").outcome == "voicemail"


def test_a_caller_without_a_callable_number_is_offered_the_message_only(app, twilio, roster):
    at(app, OPEN)
    into_the_queue(twilio, "CAanon", From="anonymous")
    at(app, "2026-12-01T10:01:30")
    root = twiml(twilio("/ivr/queue", CallSid="CAanon", From="anonymous"))
    assert prompts.QUEUE_OFFER_MESSAGE_ONLY in says(root) and "rappelé" not in says(root)
    refused = twiml(twilio("/ivr/queue/choice", CallSid="CAanon", From="anonymous", Digits="2"))
    assert redirect_target(refused) == "/ivr/route"  # no callback to a number that cannot be called


def test_the_offer_comes_by_2_minutes_whatever_the_setting(app, twilio, roster):
    app.config["IVR_QUEUE_OFFER_AFTER"] = 600
    at(app, OPEN)
    into_the_queue(twilio, "CAlate")
    at(app, "2026-12-01T10:02:00")
    assert twiml(twilio("/ivr/queue", CallSid="CAlate")).find("Gather") is not None


def test_after_the_longest_wait_the_caller_hears_that_nobody_answered(app, twilio, roster):
    at(app, OPEN)
    into_the_queue(twilio, "CAmax")
    at(app, "2026-12-01T10:03:00")
    root = twiml(twilio("/ivr/queue", CallSid="CAmax"))
    assert says(root) == prompts.NOBODY_ANSWERED and redirect_target(root) == "/ivr/voicemail"
    assert call_row(app, "CAmax").outcome == "missed"


def test_the_queue_nobody_answers_walked_with_the_simulator(app, runner, roster):
    result = runner.invoke(
        args=["ivr", "simulate", "--write", "--at", OPEN, "--to", EVICTION_NUMBER, "--keys", "62200", "--no-answer"]
    )
    assert result.exit_code == 0, result.output
    heard = [line[2:].strip() for line in result.output.splitlines() if line.startswith("🔊")]
    assert not any(BUSY.search(line) for line in heard)
    waits = [line for line in heard if line.startswith("Vous attendez depuis")]
    assert waits[0].startswith("Vous attendez depuis 20 secondes") and len(waits) >= 3
    first_offer = heard.index(prompts.QUEUE_OFFER)
    assert re.match(r"Vous attendez depuis (1 minute|1 minute et demie|2 minutes)\.", heard[first_offer - 1])
    assert prompts.NOBODY_ANSWERED in heard and "Fin : message vocal" in result.output
    lines = result.output.splitlines()
    for before, after in zip(lines, lines[1:], strict=False):  # between two rings, something is said: never a pause
        assert not (before.startswith("📞") and after.startswith("📞"))


def test_silence_outside_the_department_is_said_again_then_the_call_ends_with_the_numbers(app, twilio, roster):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAout", To=EVICTION_NUMBER)
    assert (
        redirect_target(twiml(twilio("/ivr/postal/choice", CallSid="CAout", Digits="75011")))
        == "/ivr/out-of-department"
    )
    first = twiml(twilio("/ivr/out-of-department/choice", CallSid="CAout", Digits=""))
    assert says(first) == prompts.NO_INPUT and redirect_target(first) == "/ivr/out-of-department"
    end = twiml(twilio("/ivr/out-of-department/choice", CallSid="CAout", Digits=""))
    assert [el.tag for el in end] == ["Say", "Say", "Hangup"]
    assert "0 805, 16, 00, 75" in says(end) and "Au revoir" in says(end)
    assert end.find("Dial") is None and redirect_target(end) is None
    row = call_row(app, "CAout")
    assert row.outcome == "referred" and not row.routed and row.path.endswith("hors_departement_fin")


def test_another_key_outside_the_department_is_no_yes_either(app, twilio, roster):
    at(app, OPEN)
    twilio("/ivr/voice", CallSid="CAkey", To=EVICTION_NUMBER)
    twiml(twilio("/ivr/postal/choice", CallSid="CAkey", Digits="59000"))
    assert (
        redirect_target(twiml(twilio("/ivr/out-of-department/choice", CallSid="CAkey", Digits="2")))
        == "/ivr/out-of-department"
    )
    assert twiml(twilio("/ivr/out-of-department/choice", CallSid="CAkey", Digits="9"))[-1].tag == "Hangup"
    twilio("/ivr/voice", CallSid="CAyes", To=EVICTION_NUMBER)
    twiml(twilio("/ivr/postal/choice", CallSid="CAyes", Digits="59000"))
    twiml(twilio("/ivr/out-of-department/choice", CallSid="CAyes", Digits=""))
    assert (
        redirect_target(twiml(twilio("/ivr/out-of-department/choice", CallSid="CAyes", Digits="1"))) == "/ivr/route"
    )  # a 1 after a silence connects


def test_silence_outside_the_department_walked_with_the_simulator(app, runner, roster):
    result = runner.invoke(
        args=["ivr", "simulate", "--write", "--at", OPEN, "--to", EVICTION_NUMBER, "--keys", "75011 - - - -"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Ce code postal n'est pas dans le Pas-de-Calais.") == 2
    assert "sonnerie" not in result.output and "Fin : raccroché par le service" in result.output
    assert prompts.OUT_OF_DEPARTMENT_END in result.output and "issue=referred" in result.output


@pytest.mark.parametrize("comment", ["Rappeler\x00demain", "Rappeler\ndemain", "x" * 501])
def test_a_callback_comment_is_one_line_of_text(app, client, make_user, login, comment):
    """The callback's comment is a one-line field: a NUL (PostgreSQL refuses it) or a line break is refused
    with a French message, not a 500."""
    from conftest import csrf_token

    from hotline.ivr.models import Call

    jurist = make_user("jurist")
    with app.app_context():
        call = Call(
            call_sid="CAcb", path="accueil", from_number="+33655555555", outcome="voicemail", mission="info_logement"
        )
        db.session.add(call)
        db.session.flush()
        task = CallbackTask(call_id=call.id, kind="voicemail")
        db.session.add(task)
        db.session.commit()
        task_id = task.id
    login(jurist)
    page = client.post(
        f"/calls/tasks/{task_id}/done",
        data={"csrf_token": csrf_token(client, "/calls/"), "result": "reached", "comment": comment},
        follow_redirects=True,
    )
    assert page.status_code == 200 and "Commentaire : une seule ligne" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CallbackTask, task_id).status == "open"
