"""Two workers, two servers, one database (issue 16): each app in a process of its own, with its own
instance folder. What one sees, the other sees: the login throttle (any database), and on PostgreSQL, where
two servers may share one, a queued import run by the runner beside the other server and a session ended
on one ended on both."""

import re

import pytest
from conftest import PASSWORD
from servers import Browser, Server, run_jobs, settings
from sqlalchemy import func, select
from test_import_jobs import good_file

from hotline.consultations.imports.jobs import ImportFile, ImportJob
from hotline.consultations.models import Consultation
from hotline.extensions import db

WRONG = "Wrong-Horse-Battery-99"


@pytest.fixture
def two(app, tmp_path):
    """Two servers of the app (the same settings, the same database), each with its own instance folder."""
    config = settings(app)
    config["LOGIN_THROTTLE"] = {**app.config["LOGIN_THROTTLE"], "address": (6, 900)}
    config.pop("LOGIN_RATE_LIMIT")  # the default flood guard, as in production
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(Server(config, tmp_path / name))
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_a_throttle_met_through_one_worker_holds_on_the_other(app, two, make_user):
    """Issue 16: the limits lived in each process (in memory), so each worker added its own."""
    a, b = two
    user = make_user("manager")
    browser = Browser(a)
    for n in range(5):  # one account from one address, alternately through each worker
        assert browser.on(two[n % 2]).login(user.email, WRONG).status_code == 200
    assert browser.on(b).login(user.email, PASSWORD).status_code == 429
    assert browser.on(a).login(user.email, PASSWORD).status_code == 429
    codes = [browser.on(two[n % 2]).login(f"nobody{n}@example.org", WRONG).status_code for n in range(5)]
    assert codes[-1] == 429  # one address, many accounts: the sixth attempt waits, whichever worker it reaches


def test_two_servers_share_imports_throttle_and_sessions(app, two, make_user, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("two servers share one PostgreSQL database (SQLite serves one machine)")
    a, b = two
    manager = make_user("manager")
    browser = Browser(a)
    assert browser.login(manager.email, PASSWORD).status_code == 302

    # An import queued through A is run by the runner beside B (another instance folder).
    response = browser.post("/consultations/import", files={"file": ("gros.csv", good_file(5), "text/csv")})
    assert response.status_code == 302
    job_id = int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))
    assert not any((tmp_path / "a").rglob("*.csv"))  # nothing waits in A's folder
    assert run_jobs(settings(app), tmp_path / "b") == "1"
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        assert (job.state, job.created, job.errors) == ("done", 5, None)
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 5
        assert db.session.scalar(select(func.count()).select_from(ImportFile)) == 0  # the stored file is gone
    page = browser.get(f"/consultations/import/jobs/{job_id}").text
    assert "Import terminé : 5 consultation(s) créées" in page

    # A session opened on A is valid on B; ended on B, it is ended on A too.
    assert browser.on(b).get("/").status_code == 200
    assert browser.on(b).post("/logout", form="/").status_code == 302
    for server in (a, b):
        assert browser.on(server).get("/").status_code == 302  # to the login page

    # A throttle met on A holds on B.
    other = make_user("jurist")
    for _ in range(5):
        assert browser.on(a).login(other.email, WRONG).status_code == 200
    refused = browser.on(b).login(other.email, PASSWORD)
    assert refused.status_code == 429 and "attendez 1 seconde" in refused.text
