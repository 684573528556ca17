"""What the whisper may say of the caller's household ("ménage connu, audience le 12 mars").

The voice line imports no consultations or cases (import-linter), so it cannot read a household itself:
the jurists' call pages (hotline/calls) register, when their blueprint is registered by create_app, a
function `(caller's number, jurist's id) -> words or None` under the shared config's key CONFIG_KEY (the
voice app and the pages share one config object). Without one, or if it fails, the whisper names only
the mission and the territory: the call is never lost to what the pages know.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app

from hotline.extensions import db
from hotline.ivr import circuit

CONFIG_KEY = "IVR_WHISPER_CALLER"
log = logging.getLogger("hotline.ivr")

Describe = Callable[[str | None, int], str | None]


def register(app: Flask, describe: Describe) -> None:
    app.config[CONFIG_KEY] = describe


def words(number: str | None, user_id: int | None) -> str | None:
    describe = current_app.config.get(CONFIG_KEY)
    if describe is None or not user_id or not number:
        return None
    try:
        return describe(number, user_id)
    except circuit.DATABASE_FAILURES:
        raise  # the step's guard sends the caller to the backup number and counts it for the circuit
    except Exception as error:  # noqa: BLE001 - a bug there must not cost the call its jurist
        db.session.rollback()  # the whisper has written nothing: its read of the call is all it loses
        log.error("ivr: whisper: the caller's household could not be described (%s)", type(error).__name__)
        return None
