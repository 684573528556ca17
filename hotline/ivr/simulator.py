"""Walks the voice menu as Twilio would: signed POSTs to the webhooks, in-process, with a clock
that moves as the caller waits. Used by `flask ivr simulate`, the tests and the benchmark.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask

from hotline.core.clock import local_zone, parse_instant
from hotline.core.models_base import utcnow
from hotline.ivr.security import sign

MAX_STEPS = 80
TALK_SECONDS = 300
SPOKEN_CHARACTERS_PER_SECOND = 15  # French text-to-speech, about: the clock moves while the caller listens


@dataclass
class Event:
    kind: str  # say, keys, silence, dial, record, redirect, hangup, whisper, transfer
    text: str


@dataclass
class Walk:
    call_sid: str
    events: list[Event] = field(default_factory=list)
    ended: str = ""

    def heard(self) -> list[str]:
        return [e.text for e in self.events if e.kind == "say"]


class Simulator:
    def __init__(
        self,
        app: Flask,
        *,
        to: str,
        caller: str,
        at: datetime | str | None = None,
        keys: str = "",
        answer: bool = True,
        leave_message: bool = True,
    ):
        self.app = app
        self.to, self.caller = to, caller
        with app.app_context():
            zone = local_zone()
        self.now = parse_instant(at, zone) if at else utcnow()
        self.keys = keys.split() if keys else []
        self.answer, self.leave_message = answer, leave_message
        self.call_sid = "CA" + secrets.token_hex(16)
        self.client = app.test_client()
        self.base = app.config.get("PUBLIC_URL") or "http://localhost"

    # -- plumbing --------------------------------------------------------------------------------
    def post(self, url: str, params: dict) -> ET.Element:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        signature = sign(self.base + path, params, self.app.config["TWILIO_AUTH_TOKEN"])
        response = self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered HTTP {response.status_code}")
        return ET.fromstring(response.data)

    def params(self, **extra) -> dict:
        base = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.caller,
            "To": self.to,
            "Direction": "inbound",
            "CallStatus": "in-progress",
        }
        return base | {k: v for k, v in extra.items() if v is not None}

    def run(self) -> Walk:
        previous = self.app.config.get("NOW_FUNCTION")
        self.app.config["NOW_FUNCTION"] = lambda: self.now
        try:
            return self._walk()
        finally:
            self.app.config["NOW_FUNCTION"] = previous

    # -- the walk --------------------------------------------------------------------------------
    def _walk(self) -> Walk:
        walk = Walk(self.call_sid)
        started = self.now
        document = self.post("/ivr/voice", self.params())
        for _ in range(MAX_STEPS):
            document = self._play(document, walk)
            if document is None:
                break
        else:
            walk.ended = walk.ended or "interrompu (trop d'étapes)"
        seconds = int((self.now - started).total_seconds())
        self.post("/ivr/status", self.params(CallStatus="completed", CallDuration=str(seconds)))
        return walk

    def _play(self, document: ET.Element, walk: Walk) -> ET.Element | None:
        for verb in document:
            tag = verb.tag
            if tag == "Say":
                self._hear(verb, walk)
            elif tag == "Pause":
                self.now += timedelta(seconds=int(verb.get("length", 1)))
            elif tag == "Gather":
                for say in verb.findall("Say"):
                    self._hear(say, walk)
                if self.keys:
                    token = self.keys.pop(0)
                    self.now += timedelta(seconds=4)
                    if token.startswith("voix:"):
                        walk.events.append(Event("keys", f"(dit) {token[5:]}"))
                        return self.post(verb.get("action"), self.params(SpeechResult=token[5:], Confidence="0.9"))
                    if token == "-":
                        walk.events.append(Event("silence", "(silence)"))
                        self.now += timedelta(seconds=int(verb.get("timeout", 5)))
                        continue
                    walk.events.append(Event("keys", token))
                    return self.post(verb.get("action"), self.params(Digits=token))
                walk.events.append(Event("silence", "(aucune touche)"))
                self.now += timedelta(seconds=int(verb.get("timeout", 5)))
            elif tag == "Redirect":
                return self.post(verb.text, self.params())
            elif tag == "Dial":
                return self._dial(verb, walk)
            elif tag == "Record":
                if not self.leave_message:
                    walk.events.append(Event("record", "(aucun message laissé)"))
                    self.now += timedelta(seconds=int(verb.get("timeout", 5)))
                    continue
                walk.events.append(Event("record", "(message enregistré, 20 s)"))
                self.now += timedelta(seconds=20)
                walk.ended = "message vocal"
                return self.post(
                    verb.get("action"),
                    self.params(
                        RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE{secrets.token_hex(16)}",
                        RecordingDuration="20",
                        RecordingSid="RE" + secrets.token_hex(16),
                    ),
                )
            elif tag == "Hangup":
                walk.events.append(Event("hangup", "(fin de l'appel)"))
                walk.ended = walk.ended or "raccroché par le service"
                return None
        walk.ended = walk.ended or "fin du document"
        return None

    def _hear(self, say: ET.Element, walk: Walk) -> None:
        text = say.text or ""
        walk.events.append(Event("say", text))
        self.now += timedelta(seconds=len(text) / SPOKEN_CHARACTERS_PER_SECOND)

    def _dial(self, verb: ET.Element, walk: Walk) -> ET.Element | None:
        numbers = [n for n in verb.findall("Number")]
        if not numbers:
            target = (verb.text or "").strip()
            walk.events.append(Event("transfer", f"transfert vers {target}"))
            walk.ended = f"transféré vers {target}"
            return None
        listed = ", ".join(n.text.strip() for n in numbers)
        walk.events.append(Event("dial", f"sonnerie : {listed}"))
        action = verb.get("action")
        if not self.answer:
            self.now += timedelta(seconds=int(verb.get("timeout", 20)))
            return self.post(action, self.params(DialCallStatus="no-answer", DialCallDuration="0"))
        first = numbers[0]
        self.now += timedelta(seconds=6)
        child = {"ParentCallSid": self.call_sid, "CallSid": "CA" + secrets.token_hex(16), "To": first.text.strip()}
        whisper = self.post(first.get("url"), self.params(**child))
        gather = whisper.find("Gather")
        for say in whisper.iter("Say"):
            walk.events.append(Event("whisper", say.text or ""))
        if gather is None:
            return self.post(action, self.params(DialCallStatus="no-answer"))
        accepted = self.post(gather.get("action"), self.params(**child, Digits="1"))
        if accepted.find("Hangup") is not None:
            return self.post(action, self.params(DialCallStatus="no-answer"))
        walk.events.append(Event("answered", f"décroché par {first.text.strip()}"))
        walk.ended = f"répondu par {first.text.strip()}"
        self.now += timedelta(seconds=TALK_SECONDS)
        return self.post(action, self.params(DialCallStatus="completed", DialCallDuration=str(TALK_SECONDS)))
