"""The Twilio webhooks: one small POST endpoint per step of the menu.

Each step checks Twilio's signature, then runs with a deadline and commits its call-log statement
before Twilio gets the answer: if the database is down or slow, the caller is sent to the backup
number instead of hearing an error, and the circuit (circuit.py) sends the next callers there at once.
"""

from __future__ import annotations

import logging
import re
from functools import wraps

import phonenumbers
from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hotline.auth.models import User
from hotline.core import clock, opening
from hotline.core.hours import describe, spoken_day, spoken_hours
from hotline.extensions import db
from hotline.ivr import caller, calls, circuit, deadline, flow, prompts, security, selfservice
from hotline.ivr.models import Call
from hotline.permanences.duty import on_duty
from hotline.permanences.services import next_held
from hotline.reference import HORS_DEPARTEMENT, labels
from hotline.reference.services import fold, postal_places, territory_labels

bp = Blueprint("ivr", __name__, url_prefix="/ivr")
log = logging.getLogger("hotline.ivr")

POSTAL_CODE = re.compile(r"^\d{5}$", re.ASCII)
FRENCH_POSTAL_CODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$", re.ASCII)
CALL_SID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Twilio's are CA + 32 hex digits
MAX_KEYS = 32  # longer Digits are a wrong answer
MAX_SECONDS = 24 * 3600  # a longer duration is not a real one


def twiml(response) -> Response:
    return Response(response if isinstance(response, str) else str(response), mimetype="text/xml")


def voice() -> flow.Voice:
    return flow.Voice(current_app.config["IVR_VOICE"], current_app.config["IVR_LANGUAGE"])


def degraded() -> Response:
    return twiml(flow.degraded(voice(), current_app.config.get("BACKUP_NUMBER")))


def webhook(rule: str, *, caller: bool = True):
    """Route a signed Twilio webhook, whose handler runs under the database deadline and the circuit.
    A request without a usable CallSid is not logged: a caller's step sends it to the backup
    number, a status callback (caller=False) gets a 400."""

    def decorator(handler):
        @bp.route(rule, methods=["POST"], endpoint=handler.__name__)
        @wraps(handler)
        def view():
            if not security.is_signed():
                log.warning("ivr: refused unsigned or forged request on %s", request.path)
                return Response("Signature Twilio absente ou invalide.", status=403, mimetype="text/plain")
            if not CALL_SID.match(request.form.get("CallSid", "")):
                log.warning("ivr: request without a valid CallSid on %s", request.path)
                if not caller:
                    return Response("CallSid absent ou invalide.", status=400, mimetype="text/plain")
                return degraded()
            return run_with_deadline(handler)

        return view

    return decorator


def rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone: the pool drops it
        log.warning("ivr: rollback failed")


def run_with_deadline(handler) -> Response:
    timeout = current_app.config.get("IVR_DB_TIMEOUT_SECONDS")
    breaker = circuit.circuit()
    try:
        probe = breaker.admit()
    except circuit.DatabaseUnavailable:
        return degraded()  # no database touched: the circuit is open

    def guarded() -> tuple[Response | None, bool]:
        """(the answer, or None for the backup number; whether the database answered)"""
        try:
            with deadline.bounded(timeout):
                if probe:
                    db.session.execute(select(1))
                result = handler()
                if db.session.registry.has():  # a step that asked nothing of the database commits nothing
                    db.session.commit()
            return twiml(result), True
        except circuit.DATABASE_FAILURES as error:
            rollback()
            log.error(
                "ivr: step %s: database failing (%s); caller sent to the backup number",
                handler.__name__,
                getattr(error, "orig", None) or type(error).__name__,
            )  # no values: hide_parameters
            return None, False
        except Exception:
            rollback()
            log.exception("ivr: step %s failed; caller sent to the backup number", handler.__name__)
            return None, True

    try:
        response, healthy = deadline.run(guarded, timeout)
    except deadline.DeadlineExceeded:
        log.error("ivr: step %s exceeded %.1fs; caller sent to the backup number", handler.__name__, timeout)
        response, healthy = None, False
    breaker.record(healthy, probe)
    return response or degraded()


# --- helpers -------------------------------------------------------------------------------------


def current_call() -> Call:
    """The call of this request, locked for the step; a step reached without /voice opens it."""
    return calls.open_call(
        request.form["CallSid"], number("To"), number("From"), clock.now(), mission_for_number(request.form.get("To"))
    )


def number(field: str) -> str | None:
    """A phone number field as Twilio sends it (+33..., anonymous, client:...); junk is no number."""
    value = (request.form.get(field) or "").strip()
    return value if value and len(value) <= 20 and value.isprintable() else None


def small_int(value: str | None, limit: int = MAX_SECONDS) -> int | None:
    """A count from a form or URL: ASCII digits up to `limit`, else None."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(limit)):
        return None
    return int(text) if int(text) <= limit else None


def mission_for_number(number: str | None) -> str | None:
    return current_app.config["IVR_NUMBERS"].get((number or "").strip())


def wrong_answer(call: Call, ask_endpoint: str, message: str):
    """Ask again, or after the last try send the caller to the general pool: never a dead end."""
    call.tries = (call.tries or 0) + 1
    if call.tries >= current_app.config["IVR_MAX_TRIES"]:
        call.tries = 0
        calls.step(call, "pool_general")
        call.territory_code = None
        return flow.then(voice().speech(message, prompts.GENERAL_POOL), url_for(".route"))
    return flow.then(voice().speech(message), url_for(f".{ask_endpoint}"))


def keys() -> str:
    """The keys pressed; more than MAX_KEYS is a wrong answer (a '#')."""
    digits = (request.form.get("Digits") or "").strip()
    return digits if len(digits) <= MAX_KEYS else "#"


def settle_mission(call: Call, mission: str, next_endpoint: str = ".postal"):
    call.mission = mission
    call.tries = 0
    calls.step(call, f"mission:{mission}")
    return flow.then(flow.VoiceResponse(), url_for(next_endpoint))


# --- the steps -----------------------------------------------------------------------------------


@webhook("/voice")
def voice_entry():
    mission = mission_for_number(request.form.get("To"))
    calls.start(request.form["CallSid"], number("To"), number("From"), clock.now(), mission)
    return flow.then(
        voice().speech(prompts.greeting(mission), prompts.PRIVACY), url_for(".postal" if mission else ".mission_menu")
    )


@webhook("/mission")
def mission_menu():
    return flow.question(voice(), prompts.MISSION_MENU, url_for(".mission_choice"))


@webhook("/mission/choice")
def mission_choice():
    call = current_call()
    choice = keys()
    if choice == "1":
        return settle_mission(call, "prevention_expulsion")
    if choice == "2":
        return settle_mission(call, "info_logement")
    if choice == "3":
        call.consultant_type = "travailleur_social"
        call.tries = 0
        calls.step(call, "travailleur_social")
        return flow.then(flow.VoiceResponse(), url_for(".social_worker_menu"))
    return wrong_answer(call, "mission_menu", prompts.NOT_UNDERSTOOD if choice else prompts.NO_INPUT)


@webhook("/mission/social-worker")
def social_worker_menu():
    return flow.question(voice(), prompts.SOCIAL_WORKER_MENU, url_for(".social_worker_choice"))


@webhook("/mission/social-worker/choice")
def social_worker_choice():
    call = current_call()
    choice = keys()
    if choice in ("1", "2"):
        return settle_mission(call, "prevention_expulsion" if choice == "1" else "info_logement")
    return wrong_answer(call, "social_worker_menu", prompts.NOT_UNDERSTOOD if choice else prompts.NO_INPUT)


@webhook("/postal")
def postal():
    return flow.question(
        voice(), prompts.POSTAL_CODE, url_for(".postal_choice"), num_digits=5, timeout=8, finish_on_key="#"
    )


@webhook("/postal/choice")
def postal_choice():
    code = keys()
    places = postal_places(code) if POSTAL_CODE.match(code) else ()
    outside = not places and not code.startswith("62") and bool(FRENCH_POSTAL_CODE.match(code))
    if not (places or outside):
        return wrong_answer(current_call(), "postal", prompts.POSTAL_CODE_UNKNOWN if code else prompts.NO_INPUT)
    if outside:
        territory, step, then = HORS_DEPARTEMENT, f"hors_departement:{code}", ".out_of_department"
    else:  # one territory: no need to ask the commune
        territory = places[0].territory_code if len({p.territory_code for p in places}) == 1 else None
        step, then = f"code_postal:{code}", ".route" if territory else ".commune_menu"
    noted = (request.form["CallSid"], code, step, territory, places[0].insee if len(places) == 1 else None)
    if not calls.note_postal_code(*noted):
        current_call()  # the row, made if this step came before the entry's
        calls.note_postal_code(*noted)  # nothing if the row already said it: Twilio sent the step again
    return flow.then(flow.VoiceResponse(), url_for(then))


@webhook("/commune")
def commune_menu():
    call = current_call()
    names = [p.name for p in postal_places(call.postal_code or "")]
    if not names:
        return flow.then(flow.VoiceResponse(), url_for(".postal"))
    return flow.question(
        voice(),
        prompts.commune_menu(names),
        url_for(".commune_choice"),
        num_digits=2 if len(names) > 9 else 1,
        timeout=8,
        finish_on_key="#" if len(names) > 9 else None,
        hints=names,
    )


@webhook("/commune/choice")
def commune_choice():
    call = current_call()
    communes = postal_places(call.postal_code or "")
    chosen = None
    choice = keys()
    index = small_int(choice, len(communes))
    if index:
        chosen = communes[index - 1]
    spoken = fold((request.form.get("SpeechResult") or "")[:200])
    if chosen is None and spoken:
        matches = [c for c in communes if fold(c.name) == spoken] or [
            c for c in communes if fold(c.name) in spoken or spoken in fold(c.name)
        ]
        chosen = matches[0] if len(matches) == 1 else None
    if chosen is None:
        return wrong_answer(call, "commune_menu", prompts.NOT_UNDERSTOOD if (choice or spoken) else prompts.NO_INPUT)
    call.commune_insee = chosen.insee
    call.territory_code = chosen.territory_code
    call.tries = 0
    calls.step(call, f"commune:{chosen.insee}")
    return flow.then(flow.VoiceResponse(), url_for(".route"))


@webhook("/out-of-department")
def out_of_department():
    return flow.question(voice(), prompts.OUT_OF_DEPARTMENT, url_for(".out_of_department_choice"), timeout=8)


OUT_OF_DEPARTMENT_TRIES = 2  # the long message is said twice at most


@webhook("/out-of-department/choice")
def out_of_department_choice():
    """Only the key 1 connects a caller from outside the department: silence or another key is asked again
    once, then the call ends with the numbers to call (it is no yes, and the general pool is no fallback)."""
    call = current_call()
    choice = keys()
    if choice == "1":
        call.tries = 0
        calls.step(call, "pool_general")
        return flow.then(voice().speech(prompts.GENERAL_POOL), url_for(".route"))
    heard = prompts.NOT_UNDERSTOOD if choice else prompts.NO_INPUT
    call.tries = (call.tries or 0) + 1
    if call.tries >= OUT_OF_DEPARTMENT_TRIES:
        call.tries = 0
        call.outcome = "referred"
        calls.step(call, "hors_departement_fin")
        return flow.goodbye(voice(), heard, prompts.OUT_OF_DEPARTMENT_END)
    return flow.then(voice().speech(heard), url_for(".out_of_department"))


def jurists_for(call: Call, at) -> list:
    """Whom to ring: the territory's own jurists on duty; if none, the general pool (rostered for
    all territories); if none either, anyone on duty for the mission."""
    zone = clock.local_zone()
    missions = [call.mission] if call.mission else list(labels("missions"))
    territory = call.territory_code if call.territory_code != HORS_DEPARTEMENT else None
    for scope in ((territory, False), (territory, True), (None, True)) if territory else ((None, True),):
        found = [u for mission in missions for u in on_duty(mission, scope[0], at, zone, include_pool=scope[1])]
        if found:
            return list(dict.fromkeys(found))
    return []


@webhook("/route")
def route():
    call = current_call()
    calls.reach_routing(call)
    at = clock.now()
    local = at.astimezone(clock.local_zone())
    if not opening.line_open(call.mission, local):
        return flow.then(flow.VoiceResponse(), url_for(".closed"))
    jurists = jurists_for(call, at)
    if not jurists:
        calls.step(call, "personne_de_garde")
        return flow.then(voice().speech(prompts.NOBODY_AVAILABLE), url_for(".voicemail_offer"))
    first = call.queued_at is None
    if first:  # the caller waits from the first ring on: what the queue tells them
        call.queued_at = at
    return dial_jurists(call, jurists, index=small_int(request.args.get("i"), 1000) or 0, first=first)


def dial_jurists(call: Call, jurists: list, index: int = 0, *, first: bool = False):
    sequential = current_app.config["IVR_RING_STRATEGY"] == "sequential"
    chosen = [jurists[index % len(jurists)]] if sequential else jurists[:10]
    numbers = [(u.phone, url_for(".whisper", u=u.id)) for u in chosen]
    action = url_for(".dial_result", i=index) if sequential else url_for(".dial_result")
    prefix = prompts.CONNECTING if first else None
    return flow.dial(voice(), numbers, action, current_app.config["IVR_RING_TIMEOUT"], prefix=prefix)


@webhook("/dial-result")
def dial_result():
    call = current_call()
    status = request.form.get("DialCallStatus", "")
    if status == "completed" or call.answered_at is not None:
        if call.outcome == "in_progress":
            call.outcome = "answered"
        duration = small_int(request.form.get("DialCallDuration"))
        if duration is not None:
            call.talk_seconds = duration
        return flow.goodbye(voice(), prompts.GOODBYE)
    if current_app.config["IVR_RING_STRATEGY"] == "sequential":
        index = (small_int(request.args.get("i"), 1000) or 0) + 1
        jurists = jurists_for(call, clock.now())
        if index < len(jurists):
            return dial_jurists(call, jurists, index)
    return flow.then(flow.VoiceResponse(), url_for(".queue"))


@webhook("/queue")
def queue():
    """Between two rings: how long the caller has waited and the calls before theirs (never that jurists
    are busy: none answered); from IVR_QUEUE_OFFER_AFTER on, a key leaves a message or asks a callback,
    silence keeps waiting; after IVR_MAX_QUEUE_WAIT, the voicemail. Never a pause: ringing again is heard."""
    call = current_call()
    now = clock.now()
    if call.queued_at is None:  # reached without a ring of route()
        call.queued_at = now
    if "file_attente" not in calls.steps(call):
        calls.step(call, "file_attente")
    cfg = current_app.config
    waited = int((now - call.queued_at).total_seconds())
    if waited >= cfg["IVR_MAX_QUEUE_WAIT"]:
        call.outcome = "missed"
        return flow.then(voice().speech(prompts.NOBODY_ANSWERED), url_for(".voicemail_offer"))
    status = prompts.queue_status(waited, calls.queue_position(call))
    if waited < min(cfg["IVR_QUEUE_OFFER_AFTER"], QUEUE_OFFER_LATEST):
        return flow.then(voice().speech(status, prompts.CALLING_AGAIN), url_for(".route"))
    offer = prompts.QUEUE_OFFER if callable_number(call.from_number) else prompts.QUEUE_OFFER_MESSAGE_ONLY
    return flow.question(
        voice(), [offer, *self_service_offer(call)], url_for(".queue_choice"), prefix=status, timeout=5
    )


QUEUE_OFFER_LATEST = 120  # seconds: the voicemail and the callback are offered by then, whatever the setting


@webhook("/queue/choice")
def queue_choice():
    """1: a message; 2: a callback (a callable number only); silence or another key: the jurists are rung again."""
    call = current_call()
    choice = keys()
    if choice == "3" and self_service_open(call):
        return flow.then(flow.VoiceResponse(), url_for(".self_service", back="queue"))
    if choice == "1" or (choice == "2" and callable_number(call.from_number)):
        calls.step(call, "file_quittee")
        call.outcome = "missed"
        return message_or_callback(call, choice)
    return flow.then(voice().speech(prompts.CALLING_AGAIN), url_for(".route"))


@webhook("/closed")
def closed():
    call = current_call()
    call.outcome = "closed"
    calls.step(call, "ferme")
    zone = clock.local_zone()
    local = clock.now().astimezone(zone)
    reopens = opening.next_opening(call.mission, local)
    text = prompts.closed(reopening_said(call.mission, reopens, local) if reopens else None)
    permanence = next_held(call.mission, call.territory_code, local, zone)  # another way to meet a jurist
    if permanence is not None:
        p = permanence.permanence
        day = spoken_day(permanence.day, local.date())
        text += " " + prompts.next_permanence(day, spoken_hours(p.starts, p.ends), p.name, p.address)
    return flow.then(voice().speech(text), url_for(".voicemail_offer"))


def reopening_said(mission: str | None, reopens, local) -> str:
    """The day the line opens again and its hours from then on, as people say them: "demain de 9 heures à
    12 heures et de 14 heures à 17 heures" (the slots of every mission when the call has none)."""
    day = reopens.date()
    slots = sorted(
        {
            (row.opens, row.closes)
            for row in opening.weekly_hours()
            if row.weekday == day.weekday()
            and (mission is None or row.mission == mission)
            and row.opens >= reopens.time().replace(tzinfo=None)
        }
    )
    said = [spoken_hours(opens, closes) for opens, closes in merged(slots)]
    if not said:  # not from the weekly hours (none matches): the instant alone
        return describe(reopens, local)
    return prompts.opening_hours_said(spoken_day(day, local.date()), said)


def merged(slots: list[tuple]) -> list[tuple]:
    """Overlapping or touching slots (two missions' hours on the general number) said as one."""
    out: list[list] = []
    for opens, closes in slots:
        if out and opens <= out[-1][1]:
            out[-1][1] = max(out[-1][1], closes)
        else:
            out.append([opens, closes])
    return [tuple(slot) for slot in out]


def callable_number(number: str | None) -> bool:
    """A number the service may call back: a valid one that no household flagged "ne pas rappeler" holds
    (such a caller is offered the message only, as a caller without a number: nothing said of the flag)."""
    try:
        valid = bool(number) and phonenumbers.is_valid_number(phonenumbers.parse(number, "FR"))
    except phonenumbers.NumberParseException:
        return False
    return valid and not flagged(number, "callback")


@webhook("/voicemail")
def voicemail_offer():
    call = current_call()
    if not callable_number(call.from_number):
        return flow.record(voice(), url_for(".recorded"), prefix=prompts.VOICEMAIL_ONLY)
    return flow.question(voice(), [prompts.VOICEMAIL_OFFER, *self_service_offer(call)], url_for(".voicemail_choice"))


def message_or_callback(call: Call, choice: str):
    """2: a callback task, and goodbye; else the voicemail."""
    if choice == "2":
        calls.step(call, "rappel_demande")
        calls.add_callback(call, "callback_request")
        if call.outcome != "closed":
            call.outcome = "callback_requested"
        return flow.goodbye(voice(), prompts.CALLBACK_CONFIRMED)
    call.tries = 0
    return flow.record(voice(), url_for(".recorded"))


@webhook("/voicemail/choice")
def voicemail_choice():
    call = current_call()
    choice = keys()
    if choice == "3" and self_service_open(call):
        call.tries = 0
        return flow.then(flow.VoiceResponse(), url_for(".self_service", back="voicemail"))
    if choice in ("1", "2") or (call.tries or 0) + 1 >= current_app.config["IVR_MAX_TRIES"]:
        return message_or_callback(call, choice)
    call.tries = (call.tries or 0) + 1
    return flow.then(
        voice().speech(prompts.NOT_UNDERSTOOD if choice else prompts.NO_INPUT), url_for(".voicemail_offer")
    )


# --- the self-service SMS: the nearest permanences, by SMS (selfservice.py) ------------------------


def self_service_offer(call: Call) -> list[str]:
    """The offer of key 3, when it can be kept: to a number the SMS can reach (a French mobile: a landline or
    a foreign number, Belgian mobile or British, is not offered it), with the conditions of self_service_open."""
    if not selfservice.french_mobile(call.from_number):
        return []
    return [prompts.SELF_SERVICE_OFFER] if self_service_open(call) else []


def self_service_open(call: Call) -> bool:
    """Whether key 3 leads to the self-service: a caller with a number, from a territory with permanences
    coming, who has not had the SMS in this call, nor been told it cannot be sent. A number the SMS cannot
    reach is not offered the key; pressed all the same, it is told why (self_service), then the menu."""
    if not callable_number(call.from_number) or call.territory_code in (None, HORS_DEPARTEMENT):
        return False
    if selfservice.queued(call.id) or {"sms_info_fixe", "sms_info_refuse"} & set(calls.steps(call)):
        return False  # sent already, or told it cannot be: not offered again
    if sms_refused(call.from_number):
        return False  # flagged "ne pas envoyer de SMS": key 3 is no choice, and nothing said of the flag
    return bool(selfservice.coming(call.mission, call.territory_code, clock.now(), clock.local_zone()))


def back_to_menu(back: str | None) -> str:
    """Where the self-service returns: the queue rings the jurists again; else the voicemail's offer."""
    return url_for(".route") if back == "queue" else url_for(".voicemail_offer")


def leave_self_service(call: Call, back: str | None, *texts: str):
    call.tries = 0
    if back == "queue":
        texts = (*texts, prompts.CALLING_AGAIN)
    return flow.then(voice().speech(*texts), back_to_menu(back))


def flagged(number: str | None, kind: str) -> bool:
    """A household holding this number is flagged "ne pas rappeler" ("callback") or "ne pas envoyer de SMS"
    ("sms") (create_app hands the voice app the function: the voice line reads no household)."""
    found = current_app.extensions.get("hotline.flagged")
    return found is not None and found(number, kind, clock.local_today())


def sms_refused(number: str | None) -> bool:
    return flagged(number, "sms")


@webhook("/self-service")
def self_service():
    """Consent asked by voice, once the number is known to be a French mobile the service may text."""
    call = current_call()
    back = request.args.get("back")
    if not selfservice.coming(call.mission, call.territory_code, clock.now(), clock.local_zone()):
        return leave_self_service(call, back, prompts.SELF_SERVICE_NONE)
    if not selfservice.french_mobile(call.from_number):
        calls.step(call, "sms_info_fixe")
        return leave_self_service(call, back, prompts.SELF_SERVICE_NOT_MOBILE)
    if sms_refused(call.from_number):
        calls.step(call, "sms_info_refuse")
        return leave_self_service(call, back, prompts.SELF_SERVICE_REFUSED)
    return flow.question(voice(), prompts.SELF_SERVICE_CONSENT, url_for(".self_service_choice", back=back))


@webhook("/self-service/choice")
def self_service_choice():
    """1: the SMS is queued (once per call); 2: back to the menu; another key or silence: asked again, and
    after IVR_MAX_TRIES back to the menu (never a yes)."""
    call = current_call()
    back = request.args.get("back")
    choice = keys()
    if choice == "1":
        if not selfservice.queued(call.id):
            selfservice.queue(call, clock.now())
            calls.step(call, "sms_info")
        if back == "queue":
            return leave_self_service(call, back, prompts.SELF_SERVICE_QUEUED)
        call.tries = 0
        return flow.question(
            voice(), prompts.SELF_SERVICE_AFTER, url_for(".self_service_after"), prefix=prompts.SELF_SERVICE_QUEUED
        )
    if choice == "2":
        return leave_self_service(call, back, prompts.BACK_TO_MENU)
    heard = prompts.NOT_UNDERSTOOD if choice else prompts.NO_INPUT
    call.tries = (call.tries or 0) + 1
    if call.tries >= current_app.config["IVR_MAX_TRIES"]:
        return leave_self_service(call, back, heard, prompts.BACK_TO_MENU)
    return flow.then(voice().speech(heard), url_for(".self_service", back=back))


@webhook("/self-service/after")
def self_service_after():
    """1: back to the voicemail's offer; anything else (silence included): goodbye."""
    if keys() == "1":
        return flow.then(flow.VoiceResponse(), url_for(".voicemail_offer"))
    return flow.goodbye(voice())


@webhook("/voicemail/recorded")
def recorded():
    call = current_call()
    url = (request.form.get("RecordingUrl") or "").strip()
    if call.outcome in ("in_progress", "missed"):
        call.outcome = "voicemail"
    if url.startswith("https://") and len(url) <= 500 and url.isprintable():
        call.recording_url = url
        call.recording_seconds = small_int(request.form.get("RecordingDuration"))
        calls.step(call, "message")
        calls.add_callback(call, "voicemail")
        # No callback promised to a number the service may not call back (none, or flagged "ne pas rappeler").
        return flow.goodbye(
            voice(), prompts.RECORDED if callable_number(call.from_number) else prompts.RECORDED_NO_CALLBACK
        )
    calls.step(call, "message_vide")
    calls.add_callback(call, "missed")
    return flow.goodbye(voice(), prompts.NO_RECORDING)


def _parent_call(*, lock: bool = False) -> Call | None:
    """The caller's call of a jurist's leg (Twilio's ParentCallSid); None for a SID that is none."""
    sid = request.form.get("ParentCallSid", "")
    return calls.get_call(sid, lock=lock) if CALL_SID.match(sid) else None


@webhook("/whisper")
def whisper():
    parent = _parent_call()
    mission = parent.mission if parent else None
    territory = territory_labels().get(parent.territory_code) if parent and parent.territory_code else None
    known = caller.words(parent.from_number, calls.row_id(request.args.get("u"))) if parent else None
    line = prompts.whisper_line(mission_for_number(parent.to_number), mission) if parent else "entrant"
    text = prompts.whisper(line, territory, known)
    return flow.whisper(voice(), text, url_for(".whisper_accept", u=request.args.get("u", "")))


@webhook("/whisper/accept")
def whisper_accept():
    if keys() != "1":
        return flow.goodbye(voice(), "")
    parent = _parent_call(lock=True)
    user_id = calls.row_id(request.args.get("u"))
    if parent is not None and parent.answered_at is None:
        parent.answered_at = clock.now()
        parent.answered_by_id = user_id if user_id and db.session.get(User, user_id) else None
        parent.outcome = "answered"
        calls.step(parent, f"repondu:{parent.answered_by_id or ''}")
    return flow.connect()


@webhook("/status", caller=False)
def status():
    calls.finish(request.form["CallSid"], request.form.get("CallStatus", ""), clock.now())
    return flow.VoiceResponse()


@bp.route("/fallback", methods=["POST"])
def fallback():
    """Twilio's Fallback URL: called when the main webhook failed. Touches no database."""
    if not security.is_signed():
        return Response("Signature Twilio absente ou invalide.", status=403, mimetype="text/plain")
    log.error("ivr: fallback URL called (error code %s)", request.form.get("ErrorCode", "?"))
    return degraded()
