"""TwiML for each step of the menu, from plain values: no database, no request.

Every question is a <Gather> followed by a <Redirect> to the same action, so that silence is
handled by the action like a wrong key: the caller is asked again, never left in silence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from twilio.twiml.voice_response import VoiceResponse

from hotline.ivr import prompts


class Voice:
    """Say with the configured French voice."""

    def __init__(self, voice: str, language: str):
        self.voice = voice
        self.language = language

    def say(self, verb, text: str) -> None:
        verb.say(text, voice=self.voice, language=self.language)

    def speech(self, *texts: str) -> VoiceResponse:
        response = VoiceResponse()
        for text in texts:
            if text:
                self.say(response, text)
        return response


def then(response: VoiceResponse, url: str) -> VoiceResponse:
    response.redirect(url, method="POST")
    return response


def question(
    voice: Voice,
    text: str | Sequence[str],
    action: str,
    *,
    num_digits: int = 1,
    timeout: int = 6,
    prefix: str | None = None,
    finish_on_key: str | None = None,
    hints: Iterable[str] | None = None,
) -> VoiceResponse:
    response = voice.speech(prefix) if prefix else VoiceResponse()
    options = {
        "action": action,
        "method": "POST",
        "num_digits": num_digits,
        "timeout": timeout,
        "action_on_empty_result": True,
    }
    if finish_on_key:
        options["finish_on_key"] = finish_on_key
    if hints is not None:
        options.update(input="dtmf speech", hints=", ".join(hints), language=voice.language, speech_timeout="auto")
    gather = response.gather(**options)
    for sentence in [text] if isinstance(text, str) else text:  # one <Say> each: what the caller hears, in order
        voice.say(gather, sentence)
    return then(response, action)


def dial(
    voice: Voice, numbers: list[tuple[str, str]], action: str, timeout: int, prefix: str | None = None
) -> VoiceResponse:
    """Ring (number, whisper_url) pairs at once; the action learns how it ended."""
    response = voice.speech(prefix) if prefix else VoiceResponse()
    verb = response.dial(action=action, method="POST", timeout=timeout, answer_on_bridge=True)
    for number, whisper_url in numbers[:10]:
        verb.number(number, url=whisper_url, method="POST")
    return response


def record(voice: Voice, action: str, max_seconds: int = 120, prefix: str | None = None) -> VoiceResponse:
    response = voice.speech(prefix, prompts.RECORD_INSTRUCTIONS)
    response.record(action=action, method="POST", max_length=max_seconds, finish_on_key="#", play_beep=True, timeout=10)
    # Reached only when nothing was recorded: the action then files a callback task.
    return then(response, action)


def goodbye(voice: Voice, *texts: str) -> VoiceResponse:
    response = voice.speech(*texts)
    response.hangup()
    return response


def whisper(voice: Voice, text: str, action: str) -> VoiceResponse:
    """For the jurist's leg: only a key press takes the call, so no voicemail can answer it."""
    response = VoiceResponse()
    gather = response.gather(action=action, method="POST", num_digits=1, timeout=8)
    voice.say(gather, text)
    response.hangup()
    return response


def connect() -> VoiceResponse:
    """An empty response on the jurist's leg bridges the two parties."""
    return VoiceResponse()


def degraded(voice: Voice, backup_number: str | None) -> VoiceResponse:
    """When the database fails: straight to the backup number, no lookup of any kind."""
    if backup_number:
        response = voice.speech(prompts.DEGRADED)
        response.dial(backup_number, timeout=30)
        voice.say(response, prompts.DEGRADED_NO_BACKUP)
        return response
    return goodbye(voice, prompts.DEGRADED_NO_BACKUP)
