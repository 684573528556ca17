"""The live line: the screen pop (what a ringing jurist's banner shows, and to whom), the whisper that knows the
case, the line now, the callback list by urgency, and numbers attached to households."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from html.parser import HTMLParser
from time import sleep

import pytest
from conftest import EVICTION_NUMBER, INFO_NUMBER, csrf_token, twiml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hotline.calls import known
from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.consultations.models import Household, HouseholdNumber
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences.models import DutyShift

OPEN = "2026-12-01T10:00"  # a Tuesday morning, Paris time
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the same instant
CALLER = "+33611223344"


class _Text(HTMLParser):
    """The text of each element carrying `attribute`, by its value; and the whole text."""

    def __init__(self, attribute: str):
        super().__init__(convert_charrefs=True)
        self.attribute, self.found, self.stack, self.all = attribute, {}, [], []

    def handle_starttag(self, tag, attrs):
        value = dict(attrs).get(self.attribute)
        self.stack.append(value)
        if value:
            self.found[value] = ""

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.all.append(data)
        for value in self.stack:
            if value:
                self.found[value] += data


def texts(html: str, attribute: str) -> dict[str, str]:
    parser = _Text(attribute)
    parser.feed(html.replace("<br>", " "))
    return {k: " ".join(v.split()) for k, v in parser.found.items()}


def plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def on_duty(app, make_user):
    """Claire (both missions) and Inès (information only) on duty for the Boulonnais on weekdays 9-17; Luc, of
    Lens-Hénin, too; Paul, of the Boulonnais, has no shift."""
    people = {
        "claire": make_user("jurist", phone="+33612345601", territories=("boulonnais",), name="Claire Dubois"),
        "ines": make_user(
            "jurist", phone="+33612345602", territories=("boulonnais",), name="Inès Moreau", missions=("info_logement",)
        ),
        "luc": make_user("jurist", phone="+33612345603", territories=("lens-henin",), name="Luc Martin"),
        "paul": make_user("jurist", phone="+33612345604", territories=("boulonnais",), name="Paul Petit"),
    }
    both = ("info_logement", "prevention_expulsion")
    shifts = {"claire": ("boulonnais", both), "ines": ("boulonnais", ("info_logement",)), "luc": ("lens-henin", both)}
    with app.app_context():
        for who, (territory, missions) in shifts.items():
            for mission in missions:
                for day in range(5):
                    db.session.add(
                        DutyShift(
                            user_id=people[who].id,
                            mission=mission,
                            territory_code=territory,
                            weekday=day,
                            starts=time(9),
                            ends=time(17),
                        )
                    )
        db.session.commit()
    app.config["FIXED_NOW"] = OPEN
    return people


def followed(app, name, phone, *, mission="prevention_expulsion", acts=None, territory="boulonnais") -> int:
    """A household with one consultation of `mission` (30/11/2026) and these acts of its case: its id."""
    with app.app_context():
        household = consultations.create_household(name=name, phone=phone)
        consultation = consultations.record_consultation(
            {
                "date": date(2026, 11, 30),
                "mission": mission,
                "mode": "telephone",
                "territory_code": territory,
                "commune_insee": "62160",
                "themes": ["impayes_expulsion"],
                "procedure_stage": "assignation" if mission == "prevention_expulsion" else None,
            },
            None,
            household,
        )
        if acts:
            record_acts(household, consultation, acts)
        db.session.commit()
        return household.id


def ring(twilio, sid="CAlive", caller=CALLER, info=False, postal="62200"):
    """A call through the webhooks up to the ring (the green number; or the general number, the information
    mission): the Dial's numbers and the Dial."""
    to = INFO_NUMBER if info else EVICTION_NUMBER
    twilio("/ivr/voice", CallSid=sid, From=caller, To=to)
    if info:
        twilio("/ivr/mission/choice", CallSid=sid, From=caller, To=to, Digits="2")
    twilio("/ivr/postal/choice", CallSid=sid, From=caller, To=to, Digits=postal)
    dial = twiml(twilio("/ivr/route", CallSid=sid, From=caller, To=to)).find("Dial")
    return [n.text for n in dial.findall("Number")], dial


def whisper_of(twilio, dial, index, sid="CAlive", caller=CALLER):
    number = dial.findall("Number")[index]
    root = twiml(twilio(number.get("url"), CallSid=f"{sid}leg{index}", ParentCallSid=sid, From=number.text))
    return " ".join(el.text or "" for el in root.iter("Say")), root


# --- numbers ----------------------------------------------------------------------------------------


def test_numbers_match_in_any_french_form_and_a_household_may_hold_several(ctx, make_user):
    reader = db.session.merge(make_user("jurist"))
    consultations.create_household(name="Famille Une", phone="+33611223344", author_id=reader.id)
    other = consultations.create_household(name="Famille Deux", phone="+33699887766", author_id=reader.id)
    db.session.add(HouseholdNumber(household_id=other.id, phone="+33611223344"))
    db.session.commit()
    for typed in ("0611223344", "06 11 22 33 44", "+33 6 11 22 33 44", "+33611223344"):
        found = known.households_for([typed], reader)
        assert [h.name for h in found["+33611223344"]] == ["Famille Deux", "Famille Une"], typed
    assert known.households_for(["0699887766"], reader)["+33699887766"] == [other]
    assert known.households_for(["anonymous", None, "12"], reader) == {}
    # A number no operator has given out yet still matches: it is compared, not checked.
    unassigned = consultations.create_household(name="Famille Trois", phone="+33639424600", author_id=reader.id)
    assert known.households_for(["06 39 42 46 00"], reader) == {"+33639424600": [unassigned]}


def test_a_jurist_finds_only_the_households_they_may_read(app, ctx, make_user):
    followed(app, "Famille Expulsion", CALLER)  # one eviction consultation, nobody's creation
    information = db.session.merge(make_user("jurist", missions=("info_logement",)))
    manager = db.session.merge(make_user("manager"))
    assert known.households_for([CALLER], information) == {}
    assert [h.name for h in known.households_for([CALLER], manager)[CALLER]] == ["Famille Expulsion"]


# --- the screen pop ---------------------------------------------------------------------------------


def test_the_ringing_jurist_sees_the_household_its_stage_and_its_next_date(app, client, twilio, login, on_duty):
    household = followed(app, "Famille Lefebvre", CALLER, acts={"audience": date(2027, 3, 12)})
    numbers, _ = ring(twilio, caller="0611223344")  # as a caller's network may give it: the 0X... form matches
    assert numbers == ["+33612345601"]  # Claire: the Boulonnais' eviction jurist on duty
    login(on_duty["claire"])
    response = client.get("/calls/pop")
    assert response.status_code == 200 and response.headers["ETag"]
    sections = texts(response.get_data(as_text=True), "data-pop-key")
    assert len(sections) == 1
    text = next(iter(sections.values()))
    assert "Appel entrant" in text and "06 11 22 33 44" in text
    assert "Prévention des expulsions" in text and "Boulonnais" in text
    assert "Famille Lefebvre" in text and "Assignation" in text
    assert "Audience : vendredi 12/03/2027" in text
    assert "Dernière consultation : 30/11/2026" in text
    html = response.get_data(as_text=True)
    assert "/consultations/new?call=" in html and f"household={household}" in html
    # The same banner again: a 304, nothing drawn.
    again = client.get("/calls/pop", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    with app.app_context():  # the banner's read of the household is audited, as its page's
        from hotline.core.audit import AuditEvent

        reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "household.read")).all()
        assert [(e.object_id, e.user_id) for e in reads] == [(str(household), on_duty["claire"].id)]


def test_need_to_know_the_case_only_to_eviction_readers(app, client, twilio, login, on_duty):
    followed(app, "Famille Mixte", CALLER, mission="info_logement", acts={"audience": date(2027, 3, 12)})
    numbers, _ = ring(twilio, info=True)
    assert numbers == ["+33612345601", "+33612345602"]  # Claire and Inès, both on the information line
    login(on_duty["ines"])  # information only: reads the household (an information consultation), not its case
    text = plain(client.get("/calls/pop").get_data(as_text=True))
    assert "Famille Mixte" in text and "Audience" not in text and "12/03/2027" not in text
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(on_duty["claire"])
    assert "Audience : vendredi 12/03/2027" in plain(client.get("/calls/pop").get_data(as_text=True))


def test_a_household_the_jurist_may_not_read_is_an_unknown_number_to_them(app, client, twilio, login, on_duty):
    followed(app, "Famille Expulsion", CALLER)  # its one consultation is of the eviction mission
    ring(twilio, info=True)
    login(on_duty["ines"])
    text = plain(client.get("/calls/pop").get_data(as_text=True))
    assert "Numéro inconnu" in text and "Famille" not in text


def test_only_the_jurists_a_call_rings_see_it(app, client, twilio, login, on_duty, make_user):
    followed(app, "Famille Lefebvre", CALLER)
    ring(twilio)
    for who in ("luc", "paul"):  # another territory's; no shift
        login(on_duty[who])
        assert client.get("/calls/pop").get_data(as_text=True).strip() == ""
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(make_user("manager"))
    assert client.get("/calls/pop").status_code == 403


def test_the_banner_follows_the_call_ringing_talking_then_to_log(app, client, twilio, login, on_duty):
    _, dial = ring(twilio)
    login(on_duty["claire"])
    first = client.get("/calls/pop")
    assert "Appel entrant" in plain(first.get_data(as_text=True))
    _, root = whisper_of(twilio, dial, 0)
    twilio(root.find("Gather").get("action"), CallSid="CAliveleg0", ParentCallSid="CAlive", Digits="1")
    talking = client.get("/calls/pop", headers={"If-None-Match": first.headers["ETag"]})
    assert talking.status_code == 200 and "En ligne" in plain(talking.get_data(as_text=True))
    twilio("/ivr/status", CallSid="CAlive", CallStatus="completed")
    ended = plain(client.get("/calls/pop").get_data(as_text=True))
    assert "Appel terminé, à saisir" in ended and "Numéro inconnu" in ended
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(on_duty["ines"])  # rung too, but Claire took it: gone from Inès's banner
    assert client.get("/calls/pop").get_data(as_text=True).strip() == ""


def test_a_logged_call_leaves_the_banner(app, client, twilio, login, on_duty, make_consultation):
    ring(twilio)
    with app.app_context():
        call = db.session.scalar(select(Call))
        call.answered_at, call.answered_by_id, call.outcome = NOW, on_duty["claire"].id, "answered"
        db.session.commit()
        call_id = call.id
    login(on_duty["claire"])
    assert "En ligne" in plain(client.get("/calls/pop").get_data(as_text=True))
    make_consultation(call_id=call_id, mission="prevention_expulsion", territory_code="boulonnais")
    with app.app_context():
        from hotline.consultations.models import Consultation

        consultation = db.session.scalar(select(Consultation))
        consultation.call_id = call_id
        db.session.commit()
    assert client.get("/calls/pop").get_data(as_text=True).strip() == ""


# --- attaching a number -----------------------------------------------------------------------------


def test_an_unknown_number_is_attached_to_a_household_from_the_banner(app, client, twilio, login, on_duty):
    household = followed(app, "Famille Caron", "+33699887766")
    ring(twilio)
    login(on_duty["claire"])
    shown = client.get("/calls/pop")
    banner = shown.get_data(as_text=True)
    assert "Numéro inconnu" in plain(banner)
    action = re.search(r'action="(/calls/\d+/attach)"', banner).group(1)
    token = csrf_token(client, "/calls/")
    found = client.post(action, data={"csrf_token": token, "q": "caron"}).get_data(as_text=True)
    assert "Famille Caron" in plain(found) and f'value="{household}"' in found
    done = client.post(action, data={"csrf_token": token, "household_id": str(household)})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/households/{household}")
    with app.app_context():
        assert db.session.scalars(select(HouseholdNumber.phone)).all() == [CALLER]
        assert db.session.get(Household, household).phone == "+33699887766"  # its own number stays
    assert "Famille Caron" in plain(client.get("/calls/pop").get_data(as_text=True))
    # An open page asks with the tag of what it shows ("Numéro inconnu"): the attached household is news.
    again = client.get("/calls/pop", headers={"If-None-Match": shown.headers["ETag"]})
    assert again.status_code == 200 and "Famille Caron" in plain(again.get_data(as_text=True))
    client.post(action, data={"csrf_token": token, "household_id": str(household)})  # twice: one row
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HouseholdNumber)) == 1


def test_a_household_without_a_number_takes_the_callers_as_its_own(app, client, twilio, login, on_duty):
    household = followed(app, "Famille Sansnuméro", None)
    ring(twilio)
    login(on_duty["claire"])
    call_id = client.get("/calls/pop").get_data(as_text=True).split("/calls/")[1].split("/attach")[0]
    client.post(
        f"/calls/{call_id}/attach", data={"csrf_token": csrf_token(client, "/calls/"), "household_id": household}
    )
    with app.app_context():
        assert db.session.get(Household, household).phone == CALLER


def test_a_household_the_jurist_may_not_read_cannot_take_the_number(app, client, twilio, login, on_duty):
    household = followed(app, "Famille Secrète", None)  # an eviction consultation: not for Inès
    ring(twilio, info=True)
    login(on_duty["ines"])
    call_id = client.get("/calls/pop").get_data(as_text=True).split("/calls/")[1].split("/attach")[0]
    page = client.post(
        f"/calls/{call_id}/attach", data={"csrf_token": csrf_token(client, "/calls/"), "household_id": household}
    )
    assert page.status_code == 200 and "introuvable ou ne vous est pas accessible" in plain(page.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Household, household).phone is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=st.text(max_size=200), chosen=st.one_of(st.none(), st.text(max_size=30)))
def test_the_attach_form_never_fails(app, client, twilio, login, on_duty, terms, chosen):
    with app.app_context():
        if db.session.scalar(select(Call)) is None:
            ring(twilio)
        call_id = db.session.scalar(select(Call.id))
    if not client.get("/calls/pop").status_code == 200:
        login(on_duty["claire"])
    data = {"csrf_token": csrf_token(client, "/calls/"), "q": terms}
    if chosen is not None:
        data["household_id"] = chosen
    response = client.post(f"/calls/{call_id}/attach", data=data)
    assert response.status_code in (200, 302)
    if response.status_code == 200 and terms.strip() and "\x00" not in terms:
        assert "Ménage (nom ou numéro)" in response.get_data(as_text=True)


# --- the whisper ------------------------------------------------------------------------------------


def test_the_whisper_names_the_known_household_and_its_hearing(app, twilio, on_duty):
    followed(app, "Famille Lefebvre", CALLER, acts={"audience": date(2027, 3, 12)})
    _, dial = ring(twilio)
    said, root = whisper_of(twilio, dial, 0)  # Claire: the eviction mission
    assert said == (
        "Appel numéro vert prévention des expulsions, Boulonnais, ménage connu, audience le 12 mars 2027 : "
        "tapez 1 pour prendre l'appel."
    )
    assert root.find("Gather") is not None and root[-1].tag == "Hangup"


def test_the_whisper_says_nothing_of_a_household_the_jurist_may_not_read(app, twilio, on_duty):
    followed(app, "Famille Lefebvre", CALLER, acts={"audience": date(2027, 3, 12)})
    _, dial = ring(twilio, info=True)
    said, _ = whisper_of(twilio, dial, 1)  # Inès: information only, may not read this household
    assert said == "Appel ligne information logement, Boulonnais : tapez 1 pour prendre l'appel."
    said, _ = whisper_of(twilio, dial, 0)  # Claire reads both missions
    assert "ménage connu, audience le 12 mars 2027" in said


def test_the_whisper_names_the_line_dialled_and_the_mission_chosen(app, twilio, on_duty):
    """An eviction call that came in on the general number: the whisper names that line, then the mission
    chosen in its menu (not "numéro vert")."""
    followed(app, "Famille Lefebvre", CALLER, acts={"audience": date(2027, 3, 12)})
    twilio("/ivr/voice", CallSid="CAlive", From=CALLER, To=INFO_NUMBER)
    twilio("/ivr/mission/choice", CallSid="CAlive", From=CALLER, To=INFO_NUMBER, Digits="1")
    twilio("/ivr/postal/choice", CallSid="CAlive", From=CALLER, To=INFO_NUMBER, Digits="62200")
    dial = twiml(twilio("/ivr/route", CallSid="CAlive", From=CALLER, To=INFO_NUMBER)).find("Dial")
    said, _ = whisper_of(twilio, dial, 0)
    assert said == (
        "Appel ligne information logement, mission prévention des expulsions, Boulonnais, ménage connu, "
        "audience le 12 mars 2027 : tapez 1 pour prendre l'appel."
    )
    assert "numéro vert" not in said


@pytest.mark.parametrize(
    ("line", "mission", "said"),
    [
        ("prevention_expulsion", "prevention_expulsion", "numéro vert prévention des expulsions"),
        (None, "info_logement", "ligne information logement"),
        (None, "prevention_expulsion", "ligne information logement, mission prévention des expulsions"),
        ("info_logement", "info_logement", "ligne information logement"),
        ("info_logement", "prevention_expulsion", "ligne information logement, mission prévention des expulsions"),
        (None, None, "ligne information logement, mission non choisie"),
        ("ailleurs", "info_logement", "ligne information logement"),  # a number of an unknown mission
    ],
)
def test_the_whisper_line_is_the_numbers_own_then_the_mission_if_another(line, mission, said):
    from hotline.ivr import prompts

    assert prompts.whisper_line(line, mission) == said


def test_the_whisper_says_the_next_legal_deadline_this_year(app, twilio, on_duty):
    # A judgment served on 25/11/2026, its kind not noted: the référé's appeal delay ends on 10/12/2026.
    followed(app, "Famille Appel", CALLER, acts={"signification_jugement": date(2026, 11, 25)})
    _, dial = ring(twilio)
    said, _ = whisper_of(twilio, dial, 0)
    assert "ménage connu, fin du délai d'appel le 10 décembre :" in said


def test_the_whisper_says_known_without_the_case_to_an_information_jurist(app, twilio, on_duty):
    followed(app, "Famille Info", CALLER, mission="info_logement", acts={"audience": date(2027, 3, 12)})
    _, dial = ring(twilio, info=True)
    said, _ = whisper_of(twilio, dial, 1)
    assert said == "Appel ligne information logement, Boulonnais, ménage connu : tapez 1 pour prendre l'appel."


def test_a_failing_household_lookup_never_costs_the_call(app, twilio, on_duty):
    from hotline.ivr import caller

    def broken(number, user_id):
        raise RuntimeError("bug")

    app.config[caller.CONFIG_KEY] = broken
    _, dial = ring(twilio)
    said, root = whisper_of(twilio, dial, 0)
    assert said == "Appel numéro vert prévention des expulsions, Boulonnais : tapez 1 pour prendre l'appel."
    accepted = twiml(
        twilio(root.find("Gather").get("action"), CallSid="CAliveleg0", ParentCallSid="CAlive", Digits="1")
    )
    assert len(accepted) == 0  # bridged


# --- the line now -----------------------------------------------------------------------------------


def add_call(app, sid, **fields):
    values = {"started_at": NOW - timedelta(minutes=5), "mission": "prevention_expulsion", "outcome": "in_progress"}
    values.update(fields)
    with app.app_context():
        call = Call(call_sid=sid, from_number="+336" + sid[-8:].rjust(8, "0"), **values)
        db.session.add(call)
        db.session.commit()
        return call.id


def test_the_line_now_counts_each_state_and_names_the_jurists(app, client, login, on_duty, make_user):
    add_call(app, "CA00000001")  # still in the menu
    add_call(app, "CA00000002", territory_code="boulonnais", routed=True, queued_at=NOW - timedelta(seconds=95))
    add_call(
        app,
        "CA00000003",
        mission="info_logement",
        territory_code="boulonnais",
        routed=True,
        queued_at=NOW - timedelta(seconds=20),
    )
    add_call(app, "CA00000004", territory_code="lens-henin", answered_at=NOW - timedelta(minutes=2), outcome="answered")
    with app.app_context():
        talking = db.session.scalar(select(Call).where(Call.call_sid == "CA00000004"))
        talking.answered_by_id = on_duty["luc"].id
        db.session.commit()
    ended = {"ended_at": NOW - timedelta(minutes=1), "started_at": NOW - timedelta(minutes=30)}
    add_call(app, "CA00000005", outcome="answered", answered_at=NOW - timedelta(minutes=29), **ended)
    add_call(app, "CA00000006", outcome="abandoned", **ended)
    vm = add_call(app, "CA00000007", outcome="voicemail", **ended)
    add_call(
        app, "CA00000008", outcome="answered", started_at=NOW - timedelta(days=1), ended_at=NOW - timedelta(days=1)
    )
    with app.app_context():
        db.session.add(CallbackTask(call_id=vm, kind="voicemail"))
        db.session.commit()
    login(make_user("manager"))
    response = client.get("/calls/line/now")
    assert response.status_code == 200
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)", response.get_data(as_text=True)))
    assert figures["Dans le menu"] == "1"
    assert figures["En attente d'un juriste"] == "2"
    assert figures["Téléphones qui sonnent"] == "2"  # Claire (both calls) and Inès (information)
    assert figures["En conversation"] == "1"
    assert figures["Appels reçus"] == "7"  # yesterday's not counted
    assert (figures["Répondu"], figures["Raccroché avant réponse"], figures["Message vocal"]) == ("2", "1", "1")
    assert figures["En cours"] == "3"
    text = plain(response.get_data(as_text=True))
    assert "la plus longue : 1 min 35 s" in text
    assert "Claire Dubois — son téléphone sonne" in text and "Luc Martin — en appel" in text
    assert "Paul Petit" not in text  # no shift
    assert "1 rappel en attente sur la ligne, le plus ancien pour un appel du 01/12/2026 09:30" in text
    assert "+336" not in text and "06 " not in text  # no caller's number
    assert client.get("/calls/line/now", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    page = client.get("/calls/line").get_data(as_text=True)
    assert 'data-live-src="/calls/line/now"' in page


def test_the_line_now_is_for_managers_and_jurists_on_duty(app, client, login, on_duty):
    login(on_duty["paul"])
    refused = client.get("/calls/line")
    assert refused.status_code == 403 and "juristes de permanence" in plain(refused.get_data(as_text=True))
    assert client.get("/calls/line/now").status_code == 403
    assert "La ligne en direct" not in client.get("/calls/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(on_duty["claire"])
    assert client.get("/calls/line").status_code == 200
    assert "/calls/line" in client.get("/calls/").get_data(as_text=True)


# --- callbacks by urgency ---------------------------------------------------------------------------


def missed(app, sid, number, started, territory="boulonnais", kind="voicemail"):
    call_id = add_call(
        app, sid, territory_code=territory, started_at=started, ended_at=started + timedelta(minutes=2), outcome=kind
    )
    with app.app_context():
        db.session.add(CallbackTask(call_id=call_id, kind="missed" if kind == "missed" else "voicemail"))
        db.session.commit()
    with app.app_context():
        db.session.get(Call, call_id).from_number = number
        db.session.commit()
    return call_id


def test_callbacks_come_by_the_nearest_legal_date_then_by_age(app, client, login, on_duty, make_user):
    followed(app, "Famille Tardive", "+33600000001", acts={"audience": date(2027, 1, 20)})
    followed(app, "Famille Pressée", "+33600000002", acts={"signification_jugement": date(2026, 11, 25)})
    missed(app, "CA10000001", "+33600000009", NOW - timedelta(days=3))  # unknown, the oldest
    missed(app, "CA10000002", "+33600000001", NOW - timedelta(days=2))
    missed(app, "CA10000003", "+33600000002", NOW - timedelta(days=1))
    missed(app, "CA10000004", "+33600000008", NOW - timedelta(days=4), territory="lens-henin")
    missed(app, "CA10000005", "+33600000007", NOW - timedelta(hours=2))  # unknown, recent
    for who in (on_duty["claire"], make_user("manager")):
        login(who)
        page = client.get("/calls/").get_data(as_text=True)
        tables = re.findall(r"<h3>(.*?)<span.*?<tbody>(.*?)</tbody>", page, re.S)
        assert [plain(name) for name, _ in tables] == ["Boulonnais", "Lens-Hénin"]  # Claire's first; then by code
        rows = [plain(row) for row in re.findall(r"<tr>(.*?)</tr>", tables[0][1], re.S)]
        assert ["Pressée" in rows[0], "Tardive" in rows[1]] == [True, True]
        assert "Fin du délai d'appel jeudi 10/12/2026" in rows[0]
        assert "Audience mercredi 20/01/2027" in rows[1]
        assert "28/11/2026" in rows[2] and "01/12/2026" in rows[3]  # then the oldest first
        assert "Mes appels" not in page if who.role == "manager" else "Mes appels en cours" in page
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_a_household_flagged_not_to_be_called_back_comes_last_marked(app, client, login, on_duty):
    from hotline.consultations.models import HouseholdFlag

    flagged = followed(app, "Famille Prudente", "+33600000001", acts={"signification_jugement": date(2026, 11, 25)})
    followed(app, "Famille Tardive", "+33600000002", acts={"audience": date(2027, 1, 20)})
    with app.app_context():
        db.session.add(HouseholdFlag(household_id=flagged, kind="callback", reason="safety"))
        db.session.add(HouseholdNumber(household_id=flagged, phone="+33600000003"))
        db.session.commit()
    missed(app, "CA30000001", "+33600000001", NOW - timedelta(days=2))  # the nearest deadline, but flagged
    missed(app, "CA30000002", "+33600000002", NOW - timedelta(days=1))
    missed(app, "CA30000003", "06 00 00 00 03", NOW - timedelta(days=3))  # its other number, written otherwise
    login(on_duty["claire"])
    page = client.get("/calls/").get_data(as_text=True)
    [(_, body)] = re.findall(r"<h3>(.*?)<span.*?<tbody>(.*?)</tbody>", page, re.S)
    rows = [plain(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    assert "Tardive" in rows[0] and "Ne pas rappeler" not in rows[0]
    assert all("Ne pas rappeler (Sécurité du ménage)" in row for row in rows[1:]) and len(rows) == 3


def test_the_rows_actions_are_in_a_menu(app, client, login, on_duty):
    missed(app, "CA10000001", "+33600000009", NOW - timedelta(days=1))
    login(on_duty["claire"])
    page = client.get("/calls/").get_data(as_text=True)
    row = re.search(r"<tbody>(.*?)</tbody>", page.split('id="tasks-title"')[1], re.S).group(1)
    menu = re.search(r"<details class=\"actions\">.*?</details>", row, re.S).group(0)
    assert "<form" not in row.replace(menu, "")  # every form of the row is inside its menu
    assert "Je m'en occupe" in menu and "Marquer fait" in menu and "Saisir la consultation" in menu


def test_mark_as_seen_the_missed_calls_handled_since(app, client, login, on_duty):
    handled = missed(app, "CA20000001", "+33600000001", NOW - timedelta(hours=3), kind="missed")
    add_call(
        app,
        "CA20000002",
        started_at=NOW - timedelta(hours=2),
        answered_at=NOW - timedelta(hours=2),
        ended_at=NOW - timedelta(hours=1),
        outcome="answered",
    )
    with app.app_context():
        db.session.scalar(select(Call).where(Call.call_sid == "CA20000002")).from_number = "+33600000001"
        db.session.commit()
    waiting = missed(app, "CA20000003", "+33600000002", NOW - timedelta(hours=3), kind="missed")
    message = missed(app, "CA20000004", "+33600000001", NOW - timedelta(hours=4))  # a voicemail: read it first
    login(on_duty["claire"])
    page = client.get("/calls/")
    assert "1 appel manqué déjà traité" in plain(page.get_data(as_text=True))
    done = client.post("/calls/tasks/seen", data={"csrf_token": csrf_token(client, "/calls/")})
    assert done.status_code == 302
    with app.app_context():
        status = {t.call_id: (t.status, t.result) for t in db.session.scalars(select(CallbackTask))}
    assert status[handled] == ("done", "not_needed")
    assert status[waiting] == ("open", None) and status[message] == ("open", None)
    assert "Tout marquer comme vu" not in client.get("/calls/").get_data(as_text=True)


# --- personal data ----------------------------------------------------------------------------------


def test_erasing_a_household_erases_its_other_numbers(app, ctx):
    from hotline.privacy.personal import erase_households

    household = consultations.create_household(name="Famille Effacée", phone="+33699887766")
    db.session.add(HouseholdNumber(household_id=household.id, phone=CALLER))
    db.session.add(Call(call_sid="CAerase", from_number=CALLER, started_at=NOW, outcome="answered"))
    db.session.commit()
    erase_households([household.id], calls_from_their_number=True)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(HouseholdNumber)) == 0
    assert db.session.scalar(select(Call.from_number)) is None


def test_a_page_left_open_does_not_keep_its_session_alive(app, client, login, on_duty):
    login(on_duty["claire"])
    assert "Set-Cookie" not in client.get("/calls/pop").headers  # a poll renews nothing
    assert "Set-Cookie" in client.get("/calls/").headers  # a page the jurist opens does
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=2)
    client.get("/calls/")  # the cookie now lasts 2 s
    for _ in range(6):  # 3 s of polls, as an open page asks
        client.get("/calls/pop")
        sleep(0.5)
    assert client.get("/calls/pop").status_code == 302  # ended all the same: log in again
