"""What a caller hears first (the line's name, one sentence on personal data, the menu within 15 seconds,
hours as people say them) and the self-service SMS: key 3 sends the next permanences of the caller's
territory to their mobile, through the outbox, to the local HTTP endpoint standing in for Twilio."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, time

import pytest
from conftest import EVICTION_NUMBER, INFO_NUMBER, TOKEN, twiml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_ivr import CLOSED, at, boulogne_permanence, call_row, redirect_target, says
from twilio_api import FakeTwilioApi

from hotline.consultations import flags
from hotline.consultations.models import Household
from hotline.core import clock
from hotline.core.hours import spoken_hours
from hotline.extensions import db
from hotline.ivr import prompts
from hotline.ivr.security import sign
from hotline.ivr.selfservice import french_mobile
from hotline.ivr.simulator import SPOKEN_CHARACTERS_PER_SECOND, Simulator
from hotline.jobs.scheduler import send_reminders
from hotline.sms.models import SmsMessage
from hotline.sms.outbox import OUTCOMES

MOBILE = "+33612000000"
LANDLINE = "+33321000000"
PUBLIC_URL = "https://logement.example.org"


def spoken_seconds(texts) -> float:
    return sum(len(t) for t in texts) / SPOKEN_CHARACTERS_PER_SECOND


# --- what a caller hears first ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "line", "menu"),
    [
        (EVICTION_NUMBER, "ligne de prévention des expulsions", prompts.POSTAL_CODE),
        (INFO_NUMBER, "ligne d'information sur le logement", prompts.MISSION_MENU),
    ],
)
def test_each_number_greets_as_its_line_and_the_menu_comes_within_15_seconds(app, number, line, menu):
    walk = Simulator(app, to=number, caller=MOBILE, at="2026-12-01T10:00", keys="").run()
    heard = walk.heard()
    assert line in heard[0]
    assert heard[1] == prompts.PRIVACY and heard[1].count(".") == 1  # one short sentence
    assert "données personnelles" in heard[1]  # where the full text is
    before_the_menu = heard[: heard.index(menu)]
    assert spoken_seconds(before_the_menu) <= 15, before_the_menu


def test_the_personal_data_page_the_notice_points_to_exists(client):
    assert client.get("/donnees-personnelles").status_code == 200


def test_hours_are_said_as_people_say_them():
    assert spoken_hours(time(14), time(17)) == "de 14 heures à 17 heures"
    assert spoken_hours(time(9, 30), time(12)) == "de 9 heures 30 à 12 heures"


# --- the self-service SMS ----------------------------------------------------------------------------


@pytest.fixture
def boulogne(app, make_user):
    """A permanence of the eviction mission in Boulogne on Wednesdays 9:30-12:00; the line closed (Tuesday
    1 December, 20:00); Twilio's stand-in for the SMS."""
    boulogne_permanence(app, make_user("jurist").id, time(9, 30), time(12))
    api = FakeTwilioApi()
    app.config.update(
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        SMS_FROM="+33700000000",
        TWILIO_API_URL=api.url,
        SMS_TIMEOUT_SECONDS=0.5,
        PUBLIC_URL=PUBLIC_URL,
    )
    yield api
    api.close()


def simulate(app, keys: str, caller: str = MOBILE, moment: str = CLOSED):
    return Simulator(app, to=EVICTION_NUMBER, caller=caller, at=moment, keys=keys).run()


def information_messages(app) -> list[SmsMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(SmsMessage).where(SmsMessage.purpose == "information")))
        db.session.expunge_all()
        return rows


def test_key_3_sends_one_sms_with_the_next_permanences_and_the_public_page(app, boulogne):
    walk = simulate(app, "62200 3 1 -")
    heard = walk.heard()
    assert prompts.SELF_SERVICE_OFFER in heard and prompts.SELF_SERVICE_CONSENT in heard
    assert prompts.SELF_SERVICE_QUEUED in heard and walk.ended == "raccroché par le service"
    [message] = information_messages(app)
    call = call_row(app, walk.call_sid)
    assert (message.call_id, message.status, message.key) == (call.id, "queued", f"information:{call.id}")
    assert "sms_info" in call.path  # the call log says it too

    app.config["FIXED_NOW"] = "2026-12-01T20:03"
    counts = send_reminders(app)  # the scheduler's run of the outbox
    assert counts["sent"] == 1
    [sent] = boulogne.messages
    assert sent["To"] == MOBILE
    body = sent["Body"]
    assert "mercredi 2 décembre, 9 h 30-12 h : CCAS de Boulogne-sur-Mer, place Godefroy de Bouillon" in body
    assert "mercredi 9 décembre" in body and "mercredi 16 décembre" in body  # three dates at most
    assert "mercredi 23 décembre" not in body
    assert "sur rendez-vous" in body
    assert f"{PUBLIC_URL}/public/permanences?territory=boulonnais" in body
    assert re.search(rf"Réf\. {message.id}\.$", body)
    assert information_messages(app)[0].status == "sent"
    assert send_reminders(app)["sent"] == 0 and len(boulogne.messages) == 1  # once


def test_after_the_sms_key_1_goes_back_to_the_menu(app, boulogne):
    walk = simulate(app, "62200 3 1 1 2")
    heard = walk.heard()
    after = heard.index(prompts.SELF_SERVICE_AFTER)
    assert heard[after + 1] == prompts.VOICEMAIL_OFFER  # the menu again, without key 3 now
    assert prompts.SELF_SERVICE_OFFER not in heard[after:]
    assert prompts.CALLBACK_CONFIRMED in heard
    assert len(information_messages(app)) == 1


def test_key_2_at_the_consent_goes_back_without_an_sms(app, boulogne):
    heard = simulate(app, "62200 3 2 2").heard()
    assert prompts.BACK_TO_MENU in heard and prompts.CALLBACK_CONFIRMED in heard
    assert information_messages(app) == []


def test_a_landline_is_told_and_goes_back_to_the_menu(app, boulogne):
    walk = simulate(app, "62200 3 2", caller=LANDLINE)
    heard = walk.heard()
    said = heard.index(prompts.SELF_SERVICE_NOT_MOBILE)
    assert heard[said + 1] == prompts.VOICEMAIL_OFFER and prompts.CALLBACK_CONFIRMED in heard
    assert prompts.SELF_SERVICE_OFFER not in heard[said:]  # not offered again
    assert information_messages(app) == []


def test_a_number_flagged_no_sms_is_not_offered_the_sms_and_hears_nothing_of_the_flag(app, boulogne, make_household):
    household = make_household(name="Famille Martin", phone=MOBILE)
    with app.app_context():
        flags.set_flag(db.session.get(Household, household.id), "sms", "safety", None, None, date(2026, 12, 1))
        db.session.commit()
    heard = simulate(app, "62200 3 2").heard()
    assert prompts.SELF_SERVICE_OFFER not in heard and prompts.SELF_SERVICE_CONSENT not in heard
    assert not any("SMS à ce numéro" in said for said in heard)  # whoever holds the phone learns nothing
    assert prompts.CALLBACK_CONFIRMED in heard  # key 3 is no choice: asked again, then the callback
    assert information_messages(app) == []


def test_a_number_flagged_do_not_call_back_is_offered_the_message_only(app, boulogne, make_household):
    household = make_household(name="Famille Martin", phone=MOBILE)
    with app.app_context():
        flags.set_flag(db.session.get(Household, household.id), "callback", "safety", None, None, date(2026, 12, 1))
        db.session.commit()
    walk = simulate(app, "62200 2 -")
    heard = walk.heard()
    assert prompts.VOICEMAIL_OFFER not in heard and prompts.VOICEMAIL_ONLY in heard  # no callback promised
    assert prompts.CALLBACK_CONFIRMED not in heard and prompts.RECORDED not in heard
    assert prompts.RECORDED_NO_CALLBACK in heard
    with app.app_context():
        from hotline.ivr.models import CallbackTask

        kinds = [task.kind for task in db.session.scalars(select(CallbackTask))]
    assert "callback_request" not in kinds


def test_a_flag_set_after_the_call_stops_the_sms_at_sending(app, boulogne, make_household):
    simulate(app, "62200 3 1 -")
    household = make_household(name="Famille Martin", phone=MOBILE)
    with app.app_context():
        household = db.session.get(Household, household.id)
        flags.set_flag(household, "sms", "household_request", None, None, date(2026, 12, 1))
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-01T20:03"
    assert send_reminders(app)["cancelled"] == 1 and boulogne.messages == []


def test_no_permanence_in_the_territory_no_offer(app, boulogne):
    heard = simulate(app, "62300 3 2").heard()  # Lens: no permanence
    assert prompts.SELF_SERVICE_OFFER not in heard and prompts.SELF_SERVICE_CONSENT not in heard


def queue_offer(app, make_user, twilio, caller: str = MOBILE) -> ET.Element:
    """A jurist of the Boulonnais on duty on weekdays, 9:00-17:00, who does not answer; a call of `caller` on
    Tuesday 1 December at 10:00 rings them, then waits in the queue: what it hears two minutes on."""
    from hotline.permanences.models import DutyShift

    jurist = make_user("jurist", phone="+33612345601", territories=("boulonnais",))
    with app.app_context():
        for day in range(5):
            db.session.add(
                DutyShift(
                    user_id=jurist.id,
                    mission="prevention_expulsion",
                    territory_code="boulonnais",
                    weekday=day,
                    starts=time(9),
                    ends=time(17),
                )
            )
        db.session.commit()
    app.config["PUBLIC_URL"] = None  # the `twilio` fixture signs for http://localhost
    at(app, "2026-12-01T10:00")
    twilio("/ivr/voice", CallSid="CAq", To=EVICTION_NUMBER, From=caller)
    twilio("/ivr/postal/choice", CallSid="CAq", To=EVICTION_NUMBER, From=caller, Digits="62200")
    twilio("/ivr/route", CallSid="CAq", To=EVICTION_NUMBER, From=caller)
    at(app, "2026-12-01T10:02")  # two minutes of waiting: the queue offers its keys
    return twiml(twilio("/ivr/queue", CallSid="CAq", To=EVICTION_NUMBER, From=caller))


def test_in_the_queue_key_3_sends_it_and_the_jurists_are_rung_again(app, boulogne, make_user, twilio):
    offer = queue_offer(app, make_user, twilio)
    gather = offer.find("Gather")
    assert prompts.SELF_SERVICE_OFFER in [s.text for s in gather.iter("Say")]
    step = twiml(twilio("/ivr/queue/choice", CallSid="CAq", To=EVICTION_NUMBER, From=MOBILE, Digits="3"))
    assert redirect_target(step) == "/ivr/self-service?back=queue"
    consent = twiml(twilio("/ivr/self-service?back=queue", CallSid="CAq", To=EVICTION_NUMBER, From=MOBILE))
    assert consent.find("Gather").get("action") == "/ivr/self-service/choice?back=queue"
    done = twiml(
        twilio("/ivr/self-service/choice?back=queue", CallSid="CAq", To=EVICTION_NUMBER, From=MOBILE, Digits="1")
    )
    assert prompts.SELF_SERVICE_QUEUED in says(done) and prompts.CALLING_AGAIN in says(done)
    assert redirect_target(done) == "/ivr/route"
    assert len(information_messages(app)) == 1


def test_a_run_without_the_self_service_renderer_leaves_its_sms_queued(app, boulogne):
    from hotline.appointments import reminders

    simulate(app, "62200 3 1 -")
    app.config["FIXED_NOW"] = "2026-12-01T20:03"
    with app.app_context():
        assert reminders.send_due(clock.now()) == dict.fromkeys(OUTCOMES, 0)  # the appointments' purposes only
    assert information_messages(app)[0].status == "queued" and boulogne.messages == []


# --- junk keys at the consent: asked again, never a yes, never a dead end ---------------------------


def test_french_mobiles_are_told_apart():
    assert french_mobile("+33612000000") and french_mobile("07 56 12 34 56")
    assert not french_mobile("+33321000000") and not french_mobile("+32470123456") and not french_mobile("anonymous")


def post(client, path, form):
    signature = sign("http://localhost" + path, form, TOKEN)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


_sids = iter(range(10**6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    digits=st.one_of(
        st.from_regex(r"[0-9#*]{0,6}", fullmatch=True).filter(lambda d: d not in ("1", "2")),
        st.text(max_size=12).filter(lambda d: d.strip() not in ("1", "2")),
    ),
    back=st.sampled_from(["voicemail", "queue", "", "x" * 300]),
)
def test_junk_keys_at_the_consent_ask_again(app, client, boulogne, digits, back):
    sid = f"CAjunk{next(_sids)}"
    app.config["PUBLIC_URL"] = None  # signed for http://localhost
    at(app, CLOSED)
    base = {"CallSid": sid, "From": MOBILE, "To": EVICTION_NUMBER, "AccountSid": "AC" + "0" * 32}
    post(client, "/ivr/voice", base)
    post(client, "/ivr/postal/choice", base | {"Digits": "62200"})
    action = f"/ivr/self-service/choice?back={back}"
    response = post(client, action, base | {"Digits": digits})
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.find("Hangup") is None and root.find("Redirect") is not None
    assert root.find("Redirect").text.startswith("/ivr/self-service?")  # the consent, asked again
    assert (prompts.NOT_UNDERSTOOD if digits.strip() else prompts.NO_INPUT) in says(root)
    last = None
    for _ in range(app.config["IVR_MAX_TRIES"] - 1):
        last = ET.fromstring(post(client, action, base | {"Digits": digits}).data)
    assert prompts.BACK_TO_MENU in says(last)  # after the last try: back to the menu, no SMS
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == 0


def test_the_simulator_prints_the_sms_it_queued(app, runner, boulogne):
    result = runner.invoke(
        args=["ivr", "simulate", "--write", "--to", EVICTION_NUMBER, "--at", CLOSED, "--keys", "62200 3 1 -"]
    )
    assert result.exit_code == 0, result.output
    assert "Parcours : accueil > numero:prevention_expulsion > code_postal:62200 > routage > ferme > sms_info" in (
        result.output
    )
    assert "SMS dans la file d'envoi (information:" in result.output
    assert "- mercredi 2 décembre, 9 h 30-12 h : CCAS de Boulogne-sur-Mer" in result.output


def test_erasing_a_call_erases_its_sms_reference_at_twilio(app, boulogne):
    from hotline.ivr.models import Call
    from hotline.privacy.personal import erase_calls

    walk = simulate(app, "62200 3 1 -")
    app.config["FIXED_NOW"] = "2026-12-01T20:03"
    send_reminders(app)
    assert information_messages(app)[0].sid  # Twilio's message: the number and the text
    with app.app_context():
        erase_calls(Call.call_sid == walk.call_sid)
        db.session.commit()
    assert information_messages(app)[0].sid is None and call_row(app, walk.call_sid).from_number is None


@pytest.mark.parametrize(
    ("caller", "where"),
    [
        ("+32470123456", "a Belgian mobile"),
        ("+447400123456", "a British mobile"),
        (LANDLINE, "a French landline"),
    ],
)
def test_key_3_is_offered_only_to_a_number_the_sms_can_reach(app, boulogne, caller, where):
    """One rule: the SMS goes to French mobiles only, so no other number hears key 3 at the voicemail's offer
    (nor in the queue, below); pressed all the same, it is told why, then the menu (a callback still taken)."""
    walk = simulate(app, "62200 3 2", caller=caller)
    heard = walk.heard()
    assert prompts.SELF_SERVICE_OFFER not in heard, where
    said = heard.index(prompts.SELF_SERVICE_NOT_MOBILE)
    assert "pas un portable français" in heard[said]
    assert heard[said + 1] == prompts.VOICEMAIL_OFFER and prompts.CALLBACK_CONFIRMED in heard, where
    assert information_messages(app) == []


@pytest.mark.parametrize("caller", ["+32470123456", "+447400123456", LANDLINE])
def test_in_the_queue_key_3_is_not_offered_to_a_number_the_sms_cannot_reach(app, boulogne, make_user, twilio, caller):
    said = [s.text for s in queue_offer(app, make_user, twilio, caller).find("Gather").iter("Say")]
    assert prompts.QUEUE_OFFER in said and prompts.SELF_SERVICE_OFFER not in said, said
