"""Every route, walked with what PostgreSQL refuses and SQLite takes (a NUL, an integer past int4 or int8, a
text longer than a column; with HOTLINE_PROBE_ALL=1 an impossible date and more), as the role that may open
it: no 500, no exception logged, a French message where a form refuses.

Each role crawls the app from its home and the pages without arguments, as a person following links
would, so that the identifiers in the paths are records it may open. On every page it reads, each query
argument the view reads (recorded as the view reads it, and the fields of the page's GET forms) is set in
turn to each probe value; each POST form of the page is sent back with each of its fields (and whatever
the view reads from the posted form) set in turn to each probe value. The voice webhooks are posted
signed as Twilio would, each parameter in turn. The same walk runs on SQLite and PostgreSQL: on SQLite, an
engine hook (as_strict_as_postgresql) refuses what PostgreSQL would, so that a hole fails on both.
"""

from __future__ import annotations

import logging
import os
import random
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import deque
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from conftest import EVICTION_NUMBER, PASSWORD, TOKEN, csrf_token, hashed
from html_forms import forms as page_forms
from html_forms import opened
from sqlalchemy import Integer, Numeric, SmallInteger, String, event, select
from sqlalchemy.engine import Engine
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect, UnicodeConverter

from hotline.auth.models import User
from hotline.core import clock
from hotline.extensions import db
from hotline.ivr.security import sign

# What PostgreSQL refuses and SQLite takes: a NUL, an integer past int4 (and a Numeric(10, 2)), a text past any
# String(n). The walk posts each to every field a page reads (about 7 minutes for the six roles on SQLite);
# HOTLINE_PROBE_ALL=1 adds what the forms' own checks answer (signs, digits, impossible dates).
PROBES = {"NUL": "a\x00b", "99999999999": "99999999999", "5000 chars": "x" * 5000}
if os.environ.get("HOTLINE_PROBE_ALL"):
    PROBES |= {"30 nines": "9" * 30, "-1": "-1", "2026-02-30": "2026-02-30"}
HUGE_IDS = (str(2**31), str(2**63))
# English that WTForms or a library would show where the app says it in French.
ENGLISH = re.compile(
    r"Not a valid|This field is required|Invalid (?:choice|value|input|date|email)|Field must be|"
    r"is not a valid|Number must be|Please enter",
    re.IGNORECASE,
)
ERROR_PARAGRAPH = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)
NOT_PROBED = {"auth.logout", "static", "public.static"}  # ends the session; files on disk
ACCOUNTS = {  # the demo's accounts (hotline.jobs.demo); its first two jurists work the same territory
    "admin": "admin@demo.example.org",
    "manager": "responsable@demo.example.org",
    "jurist_info": "juriste1@demo.example.org",
    "jurist_eviction": "juriste2@demo.example.org",
}
JURISTS = {ACCOUNTS["jurist_info"]: "info_logement", ACCOUNTS["jurist_eviction"]: "prevention_expulsion"}


class Recording(ImmutableMultiDict):
    """The request's query string and form, remembering which names the view read."""

    read: set[str] = set()

    def __getitem__(self, key):
        Recording.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        Recording.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        Recording.read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        Recording.read.add(key)
        return super().__contains__(key)


def service(app, monkeypatch):
    """The demo's service on a small scale: accounts of each role, the roster, places and permanences,
    households with their consultations and procedures, calls and callbacks, appointments, activities;
    two jurists of the same territory left with one mission each; a closure, a permanence's cancelled day
    and a finished import, so that every page has rows to show."""
    from hotline.auth import services as auth_services
    from hotline.consultations.imports.jobs import ImportJob
    from hotline.consultations.models import Household
    from hotline.consultations.services import record_consultation
    from hotline.core.opening import Closure
    from hotline.ivr import calls
    from hotline.jobs import demo
    from hotline.jobs.demo import households, setup
    from hotline.permanences import services as permanences

    monkeypatch.setattr(auth_services, "hash_password", lambda password: hashed(PASSWORD))
    monkeypatch.setattr(setup, "hash_password", lambda password: hashed(PASSWORD))
    with app.app_context():
        rng = random.Random(62)
        made = demo.accounts()
        jurists = [user for user, _ in made if user.role == "jurist"]
        db.session.flush()
        today = clock.local_today()
        demo.roster(jurists)
        demo.permanences(jurists, today)
        households.consultations(rng, jurists, today, households=12)
        demo.calls(rng, jurists, clock.now())
        setup.appointments(rng, jurists)
        setup.activities(rng, jurists, today)
        for number, (email, mission) in enumerate(JURISTS.items()):
            jurist = db.session.scalar(select(User).where(User.email == email))
            jurist.missions = [mission]
            answered = calls.open_call(f"CAprobe{number}a", EVICTION_NUMBER, "+33612000001", clock.now(), mission)
            answered.territory_code, answered.outcome = "boulonnais", "answered"
            answered.answered_at, answered.answered_by_id = clock.now(), jurist.id
            missed = calls.open_call(f"CAprobe{number}m", EVICTION_NUMBER, "+33612000002", clock.now(), mission)
            missed.territory_code, missed.outcome = "boulonnais", "missed"
            calls.add_callback(missed, "missed")
        household = Household(name="Famille Sonde", phone="+33612000003")
        db.session.add(household)
        for email, mission in JURISTS.items():  # a household both jurists read, which the menu may not reach
            consultation = {"date": today, "mission": mission, "mode": "telephone", "commune_insee": "62160"}
            themes = ["impayes_expulsion"] if mission == "prevention_expulsion" else ["rapports_locatifs"]
            jurist_id = db.session.scalar(select(User.id).where(User.email == email))
            record_consultation(
                {**consultation, "territory_code": "boulonnais", "themes": themes}, jurist_id, household
            )
        admin = made[0][0]
        db.session.add(Closure(mission=None, starts_on=today, ends_on=today, reason="Formation"))
        db.session.add(ImportJob(state="done", filename="import.csv", rows_total=1, created_by_id=made[1][0].id))
        occurrence = next(o for o in permanences.occurrences(*permanences.horizon(today)) if o.not_held is None)
        permanences.cancel(occurrence.permanence, occurrence.day, "Formation", admin)
        db.session.commit()
        return household.id


def account(app, role: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == ACCOUNTS[role]))
        db.session.expunge(user)
        return user


class Walk:
    """One role's walk: the requests, what went wrong, and what was probed."""

    def __init__(self, app, client, login, user, caplog):
        self.app, self.client, self.login, self.user, self.caplog = app, client, login, user, caplog
        self.adapter = app.url_map.bind("localhost")
        self.failures: set[tuple] = set()
        self.probed: set[str] = set()  # endpoints
        self.pages: dict[str, str] = {}  # url -> html of the pages read
        self.get_forms: dict[str, set[str]] = {}  # endpoint -> names of the GET forms' fields aimed at it

    def endpoint(self, url: str, method: str = "GET") -> str | None:
        try:
            return self.adapter.match(urlsplit(url).path, method=method)[0]
        except RequestRedirect as redirect:
            return self.endpoint(redirect.new_url, method)
        except HTTPException:
            return None

    def request(self, method: str, url: str, what: tuple, **kwargs):
        """One request; a 500, an exception, an error logged or English in the page is a failure."""
        self.caplog.clear()
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # TESTING propagates the view's exceptions
            self.failures.add((*what, f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"))
            return None
        logged = [r for r in self.caplog.records if r.levelno >= logging.ERROR or r.exc_info]
        if response.status_code >= 500:
            self.failures.add((*what, f"status {response.status_code}"))
        if logged:
            self.failures.add((*what, f"logged: {logged[0].getMessage()[:120]}"))
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            english = ENGLISH.search(html)
            if english:
                self.failures.add((*what, f"English: {english.group(0)}"))
            if method == "POST" and response.status_code in (200, 400, 422):
                for message in ERROR_PARAGRAPH.findall(html):
                    if not message.strip():
                        self.failures.add((*what, "an empty error message"))
        if self.user and response.status_code == 302 and response.headers.get("Location", "").startswith("/login"):
            self.log_in_again()
        return response

    def log_in_again(self):
        """A probe that was taken (a new password, the account disabled...) ended the session."""
        with self.app.app_context():
            user = db.session.get(User, self.user.id)
            user.password_hash, user.active = hashed(PASSWORD), True
            db.session.commit()
        self.login(self.user)

    def crawl(self, starts: list[str], per_endpoint: int = 2) -> dict[str, list[str]]:
        """The pages the role reaches by following links: at most `per_endpoint` urls per endpoint."""
        reached: dict[str, list[str]] = {}
        queue, seen = deque(starts), set()
        while queue:
            url = queue.popleft()
            endpoint = self.endpoint(url)
            if url in seen or endpoint is None or endpoint in NOT_PROBED:
                continue
            seen.add(url)
            if len(reached.get(endpoint, [])) >= per_endpoint:
                continue
            response = self.request("GET", url, ("GET", endpoint, "-", "plain"))
            if response is not None and response.status_code in (301, 302, 303):  # a link that leads on
                queue.append(response.headers["Location"])
            if response is None or response.status_code != 200:
                continue
            reached.setdefault(endpoint, []).append(url)
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            self.pages[url] = html
            for href in re.findall(r'(?:href|action|src)="([^"#]*)"', html):
                href = href.replace("&amp;", "&")
                if href.startswith("/") and not href.startswith("//"):
                    queue.append(href)
            for action, method, fields in forms_of(html):
                target = self.endpoint(action or url)
                if method == "get" and target:
                    self.get_forms.setdefault(target, set()).update(fields)
        return reached

    def probe_query(self, endpoint: str, url: str) -> None:
        """Each query argument the view reads, and the fields of the GET forms aimed at it, set in turn
        to each probe value."""
        Recording.read = set()
        self.request("GET", url, ("GET", endpoint, "-", "plain"))
        path, query = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query))
        names = (Recording.read | set(query) | self.get_forms.get(endpoint, set())) - {"csrf_token"}
        self.probed.add(endpoint)
        for name, label, forged in self.forged(url, "GET"):
            self.request("GET", forged, ("GET", endpoint, f"path {name}", label))
        for name in sorted(names):
            for label, value in PROBES.items():
                self.request("GET", f"{path}?{urlencode({**query, name: value})}", ("GET", endpoint, name, label))

    def forged(self, url: str, method: str) -> list[tuple[str, str, str]]:
        """(argument, probe, url) for each text argument of the url's path set in turn to each probe value."""
        path, query = urlsplit(url).path, urlsplit(url).query
        try:
            rule, arguments = self.adapter.match(path, method=method, return_rule=True)
        except HTTPException:
            return []
        texts = [name for name in rule.arguments if isinstance(rule._converters[name], UnicodeConverter)]
        suffix = f"?{query}" if query else ""
        return [
            (name, label, self.adapter.build(rule.endpoint, {**arguments, name: value}) + suffix)
            for name in texts
            for label, value in PROBES.items()
        ]

    def probe_forms(self, endpoint: str, url: str, done: set) -> None:
        """Each POST form of the page, each field in turn set to each probe value."""
        for action, method, fields in forms_of(self.pages.get(url, "")):
            target_url = action or url
            target = self.endpoint(target_url, "POST")
            if method != "post" or target is None or target in NOT_PROBED:
                continue
            key = (target, tuple(sorted(fields)))
            if key in done:
                continue
            done.add(key)
            self.probed.add(target)
            Recording.read = set()
            self.request("POST", target_url, ("POST", target, "-", "as opened"), data=fields)
            for name, label, forged in self.forged(target_url, "POST"):
                self.request("POST", forged, ("POST", target, f"path {name}", label), data=fields)
            names = (set(fields) | Recording.read) - {"csrf_token"}
            for name in sorted(names):
                for label, value in PROBES.items():
                    data = {**fields, name: [value] if isinstance(fields.get(name), list) else value}
                    self.request("POST", target_url, ("POST", target, name, label), data=data)


def forms_of(html: str) -> list[tuple[str, str, dict]]:
    """(action, method, fields as a browser would send them) of each form of a page."""
    tags = [dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<form\b([^>]*)>", html)]
    return [
        (tag.get("action", "").replace("&amp;", "&"), tag.get("method", "get").lower(), fields)
        for tag, fields in zip(tags, page_forms(html), strict=True)
    ]


def report(failures: set[tuple]) -> str:
    lines = sorted({" ".join(str(part) for part in failure) for failure in failures})
    return f"{len(lines)} failures:\n" + "\n".join(lines[:200])


def refused_by_postgresql(context, parameters) -> str | None:
    """What PostgreSQL would refuse in a statement's parameters, which SQLite takes: a NUL in a text; on a
    write, an integer past its column's range, a text longer than its VARCHAR(n), a number past its
    NUMERIC(p, s). (A comparison of an INTEGER column with a larger number, or of a VARCHAR(n) with a longer
    text, PostgreSQL answers.)"""
    compiled = getattr(context, "compiled", None)
    rows = getattr(context, "compiled_parameters", None) if compiled is not None else None
    if not rows:
        rows = [dict(enumerate(row)) for row in (parameters if isinstance(parameters, list) else [parameters])]
    writing = bool(compiled is not None and (context.isinsert or context.isupdate))
    columns = set(compiled.statement.table.c.keys()) if writing else set()
    for row in rows:
        for key, value in row.items() if isinstance(row, dict) else enumerate(row or ()):
            if isinstance(value, str) and "\x00" in value:
                return "PostgreSQL text fields cannot contain NUL (0x00) bytes"
            if key not in columns or value is None or compiled is None or key not in compiled.binds:
                continue
            kind = compiled.binds[key].type
            if isinstance(kind, SmallInteger) and isinstance(value, int) and not -(2**15) <= value < 2**15:
                return f"smallint out of range: {key}"
            if type(kind) is Integer and isinstance(value, int) and not -(2**31) <= value < 2**31:
                return f"integer out of range: {key}"
            if isinstance(kind, String) and kind.length and isinstance(value, str) and len(value) > kind.length:
                return f"value too long for type character varying({kind.length}): {key}"
            if isinstance(kind, Numeric) and kind.precision and isinstance(value, (int, float, Decimal)):
                if abs(Decimal(value)) >= Decimal(10) ** (kind.precision - (kind.scale or 0)):
                    return f"numeric field overflow: {key}"
    return None


@pytest.fixture(autouse=True)
def as_strict_as_postgresql(app):
    """On SQLite, the statements PostgreSQL would refuse fail as they would there (a DataError), for every
    test of this file; on PostgreSQL, nothing to add."""

    def check(conn, cursor, statement, parameters, context, executemany):
        refused = refused_by_postgresql(context, parameters)
        if refused:
            raise sqlite3.DataError(refused)

    event.listen(Engine, "before_cursor_execute", check)
    yield
    event.remove(Engine, "before_cursor_execute", check)


@pytest.fixture
def recording(app, monkeypatch):
    monkeypatch.setattr(app.request_class, "parameter_storage_class", Recording)


def starts(app, household_id: int) -> list[str]:
    """The home, and every page without arguments (the menu's pages); and a few a menu reaches only after a
    search or a click in the agenda."""
    extra = ["/admin/territories/?q=Arras", f"/appointments/new?household={household_id}&office=1"]
    return ["/", *extra] + sorted(
        rule.rule for rule in app.url_map.iter_rules() if not rule.arguments and "GET" in rule.methods
    )


@pytest.mark.parametrize("role", [*ACCOUNTS, "visitor"])
def test_every_page_and_form_answers_what_postgresql_refuses(app, client, login, monkeypatch, caplog, recording, role):
    household_id = service(app, monkeypatch)
    user = account(app, role) if role in ACCOUNTS else None
    if user is not None:
        login(user)
    walk = Walk(app, client, login, user, caplog)
    reached = walk.crawl(starts(app, household_id))
    done: set = set()
    for endpoint, urls in reached.items():
        for url in urls[:1]:
            walk.probe_query(endpoint, url)
            walk.probe_forms(endpoint, url, done)
    for endpoint, urls in reached.items():  # identifiers past PostgreSQL's integers, in every path
        for url in urls[:1]:
            for huge in HUGE_IDS:
                forged = re.sub(r"/\d+(?=/|$)", "/" + huge, urlsplit(url).path)
                if forged != urlsplit(url).path:
                    response = walk.request("GET", forged, ("GET", endpoint, "path id", huge))
                    assert response is None or response.status_code == 404, (forged, response.status_code)
    assert len(walk.probed) >= (20 if user else 5), sorted(walk.probed)  # the walk went round the role's pages
    assert not walk.failures, report(walk.failures)


VOICE_CALL = {  # a call on the eviction line, as Twilio posts its steps
    "AccountSid": "AC" + "0" * 32,
    "CallSid": "CA" + "1" * 32,
    "ParentCallSid": "CA" + "1" * 32,
    "From": "+33612000000",
    "To": EVICTION_NUMBER,
    "Digits": "1",
    "SpeechResult": "Arras",
    "CallStatus": "completed",
    "DialCallStatus": "completed",
    "DialCallDuration": "30",
    "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1",
    "RecordingDuration": "12",
}


def test_every_voice_webhook_answers_what_postgresql_refuses(app, client, monkeypatch, caplog, recording):
    service(app, monkeypatch)
    walk = Walk(app, client, None, None, caplog)
    voice = app.extensions["hotline.voice"]

    def post(path, what, query=None, **changes):
        url = path + (f"?{urlencode(query)}" if query else "")
        params = {**VOICE_CALL, **changes}
        signature = sign("http://localhost" + url, params, TOKEN)
        return walk.request("POST", url, what, data=params, headers={"X-Twilio-Signature": signature})

    steps = sorted(rule.rule for rule in voice.url_map.iter_rules() if rule.endpoint.startswith("ivr."))
    post("/ivr/voice", ("POST", "/ivr/voice", "-", "the call begins"))
    for path in steps:
        Recording.read = set()
        post(path, ("POST", path, "-", "as Twilio posts it"))
        for name in sorted(Recording.read | set(VOICE_CALL)):
            for label, value in PROBES.items():
                post(path, ("POST", path, name, label), **{name: value})
                post(path, ("POST", path, f"?{name}", label), query={name: value})
        walk.probed.add(path)
    # The fallback URL logs the error Twilio reports: its purpose, not a failure.
    failures = {failure for failure in walk.failures if not failure[-1].startswith("logged: ivr: fallback URL called")}
    assert len(walk.probed) == len(steps) >= 20
    assert not failures, report(failures)


@pytest.mark.parametrize("code", ["a\x00b", "\x00"])
def test_an_account_with_a_territory_holding_a_nul_is_refused_in_french(app, client, login, make_user, code):
    """auth.services.validate_scope looked the posted code up: PostgreSQL refused the NUL (a 500)."""
    login(make_user("admin"))
    jurist = make_user("jurist", territories=("boulonnais",))
    data = opened(client, f"/admin/users/{jurist.id}", "territories")
    response = client.post(f"/admin/users/{jurist.id}", data={**data, "territories": [code]})
    assert response.status_code == 200
    assert "Valeur inconnue" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/ivr/whisper", "/ivr/whisper/accept"])
def test_a_parent_call_sid_holding_a_nul_is_no_call(app, twilio, caplog, path):
    response = twilio(path, CallSid="CA" + "2" * 32, ParentCallSid="CA\x001", Digits="1")
    root = ET.fromstring(response.data)
    assert response.status_code == 200 and root.find("./Dial/Number") is None  # not the backup number
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize("path", ["/admin/communes/{}/territory", "/admin/epcis/{}/territory"])
@pytest.mark.parametrize("text", ["a%00b", "%00", "62041%0a"])
def test_a_text_path_argument_holding_a_control_character_is_a_404(client, login, make_user, path, text):
    """The moves looked the commune or EPCI up by the path's text: PostgreSQL refused a NUL (a 500). Every
    text argument of a path now refuses control characters, as an int one refuses huge numbers."""
    login(make_user("admin"))
    token = csrf_token(client, "/admin/territories/")
    response = client.post(path.format(text), data={"csrf_token": token, "territory": "arrageois"})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
