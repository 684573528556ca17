"""The baseline: a bare Flask app answering the same TwiML as the measured steps, with no
signature check, no database and no clock. ivr_load.py runs it under the same gunicorn settings.
"""

import json
import os

from flask import Flask, Response, abort

app = Flask(__name__)
with open(os.environ["BENCH_BODIES"], encoding="utf-8") as fh:
    BODIES: dict[str, str] = json.load(fh)


@app.post("/ivr/<path:step>")
def step(step: str):
    return Response(BODIES.get(step) or abort(404), mimetype="text/xml")
