"""Property-based: whatever Twilio (or anyone holding the token) posts to a voice webhook, the answer
is valid TwiML that leads somewhere, or a 400/403/413; never a 500, never silence. A request that
names its call is never sent to the backup number, which is for a failing database only."""

import re
import xml.etree.ElementTree as ET

import pytest
from conftest import EVICTION_NUMBER, INFO_NUMBER, TOKEN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ivr import STEPS

from hotline.ivr.security import sign

BACKUP = "+33321000000"
LEADS_SOMEWHERE = {"Gather", "Redirect", "Dial", "Record", "Hangup"}
SILENT_BY_DESIGN = {"/ivr/whisper/accept", "/ivr/status"}  # the jurist's leg bridged; a status callback
CALL_SID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FIELDS = [
    "CallSid",
    "From",
    "To",
    "Digits",
    "SpeechResult",
    "Confidence",
    "RecordingUrl",
    "RecordingDuration",
    "CallStatus",
    "DialCallStatus",
    "DialCallDuration",
    "ParentCallSid",
    "CallDuration",
    "AccountSid",
]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
digits = st.one_of(
    st.from_regex(r"[0-9#*]{0,12}", fullmatch=True),
    st.just("7" * 5000),
    st.just("99999999999999999999"),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["62200", "62179", "75011", "1", "2", "3"]),
)
values = st.one_of(
    digits,
    text,
    st.sampled_from(
        [
            "completed",
            "no-answer",
            "busy",
            "https://api.twilio.com/r/RE1",
            "+33612000000",
            "anonymous",
            EVICTION_NUMBER,
            INFO_NUMBER,
        ]
    ),
)
forms = st.builds(
    lambda known, other: other | known,
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, values)),
    st.dictionaries(text.filter(bool), values, max_size=3),
)
sids = st.one_of(st.just("CAprop"), st.just("CAprop2"), text, st.just("CA" + "f" * 5000), st.none())
queries = st.sampled_from(
    [
        "",
        "?i=abc",
        "?i=99999999999999999999",
        "?i=3",
        "?u=1",
        "?u=" + "9" * 5000,
        "?u=²",
        "?cp=62200",
        "?cp=" + "6" * 5000,
        "?back=queue",
        "?back=" + "q" * 5000,
    ]
)


@pytest.fixture
def backup(app):
    app.config["BACKUP_NUMBER"] = BACKUP
    app.config["FIXED_NOW"] = "2026-12-01T10:00"
    yield
    app.config["BACKUP_NUMBER"] = None


@pytest.mark.parametrize("path", STEPS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, form=forms, sid=sids, postal=st.sampled_from([None, "", "62179", "62200"]))
def test_any_input_gets_valid_twiml_or_a_refusal(app, client, backup, path, query, form, sid, postal):
    """postal: None, no step before; "", the entry only; else the entry and that postal code."""
    if postal is not None:
        post(client, "/ivr/voice", {"CallSid": sid or "", "From": "+33612000000", "To": EVICTION_NUMBER})
    if postal:
        post(client, "/ivr/postal/choice", {"CallSid": sid or "", "To": EVICTION_NUMBER, "Digits": postal})
    if sid is not None:
        form = form | {"CallSid": sid}
    response = post(client, path + query, form)
    assert response.status_code in (200, 400, 403, 413), response.status_code
    if response.status_code != 200:
        assert path == "/ivr/status" or response.status_code == 413
        return
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    if path not in SILENT_BY_DESIGN:
        assert {element.tag for element in root} & LEADS_SOMEWHERE, response.data
    sent_to_backup = any((dial.text or "").strip() == BACKUP for dial in root.iter("Dial"))
    if CALL_SID.match(form.get("CallSid", "")) and path != "/ivr/fallback":
        assert not sent_to_backup, response.data


def post(client, path, form):
    signature = sign("http://localhost" + path, form, TOKEN)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})
