"""Background imports (issue 9): a big file on the import page is queued, the runner (the command, or the
scheduler's job) imports it all or nothing, its page shows the state, the progress and the errors, a job
left running by a dead process is failed, and the uploaded file never outlives its job."""

import io
import re
import threading
from datetime import timedelta

import pytest
from conftest import PASSWORD, csrf_token
from sqlalchemy import delete, select
from test_import import count

from hotline.consultations.imports import jobs as import_jobs
from hotline.consultations.imports.jobs import ImportFile, ImportJob
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db
from hotline.jobs.scheduler import run_import_jobs
from hotline.privacy import retention

URL = "/consultations/import"
HEADER = "external_id,date,mission,mode,household_ref"


def good_file(rows: int) -> bytes:
    lines = [HEADER] + [f"J{n},2026-0{1 + n % 9}-1{n % 10},info_logement,telephone,HJ{n % 7}" for n in range(rows)]
    return "\n".join(lines).encode()


@pytest.fixture
def folder(app, tmp_path):
    app.config.update(IMPORT_FOLDER=str(tmp_path), IMPORT_BACKGROUND_ROWS=3, FIXED_NOW="2026-11-28T10:00")
    yield tmp_path
    app.config.pop("IMPORT_FOLDER")
    app.config.pop("IMPORT_BACKGROUND_ROWS")


def stored(folder) -> list[str]:
    """The files an import left in the folder (the runner's lock file aside)."""
    return sorted(path.name for path in folder.iterdir() if path.name != import_jobs.LOCK_NAME)


def stored_bytes(app, job_id: int) -> bytes:
    """The queued file as the database holds it."""
    with app.app_context():
        return b"".join(
            db.session.scalars(select(ImportFile.data).where(ImportFile.job_id == job_id).order_by(ImportFile.seq))
        )


def upload(client, data: bytes, name="gros.csv"):
    return client.post(
        URL,
        data={"csrf_token": csrf_token(client, URL), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def client_of(app, user):
    """A browser of its own, logged in as `user`."""
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(other, "/login")})
    return other


def job_of(app, job_id: int) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        db.session.expunge(job)
        return job


def queued(client, make_user, login, data: bytes) -> int:
    login(make_user("manager"))
    response = upload(client, data)
    assert response.status_code == 302
    return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))


def test_a_big_file_is_queued_then_imported_by_the_command(app, client, runner, make_user, login, folder):
    job_id = queued(client, make_user, login, good_file(5))
    # Stored in the database (every server's runner reads it), nothing in the folder, nothing written yet.
    assert count(app) == 0 and stored(folder) == [] and stored_bytes(app, job_id) == good_file(5)
    page = client.get(f"{URL}/jobs/{job_id}")
    assert page.headers["Refresh"] == "3" and "en attente" in page.get_data(as_text=True)
    listing = client.get(URL).get_data(as_text=True)
    assert "gros.csv" in listing.split("<main", 1)[1]  # listed on the import page, in its content
    assert (
        re.search(r"<title>(.*?)</title>", listing, re.S).group(1)
        == "Importer des consultations · Information logement Pas-de-Calais"
    )

    result = runner.invoke(args=["consultations", "import-jobs", "run"])
    assert result.exit_code == 0 and "1 lancé(s)" in result.output
    assert count(app) == 5 and count(app, Household) == 5
    job = job_of(app, job_id)
    assert (job.state, job.rows_total, job.rows_done, job.created, job.updated, job.errors) == (
        "done",
        5,
        5,
        5,
        0,
        None,
    )
    assert job.started_at <= job.finished_at and stored(folder) == [] and stored_bytes(app, job_id) == b""
    page = client.get(f"{URL}/jobs/{job_id}")
    assert "Refresh" not in page.headers
    assert "Import terminé : 5 consultation(s) créées, 0 mises à jour." in page.get_data(as_text=True)
    assert "0 lancé(s)" in runner.invoke(args=["consultations", "import-jobs", "run"]).output


def test_a_small_file_is_still_imported_in_the_request(app, client, make_user, login, folder):
    login(make_user("manager"))
    response = upload(client, good_file(3))
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    assert count(app) == 3 and stored(folder) == []
    with app.app_context():
        assert db.session.scalars(select(ImportJob)).all() == []


def test_an_error_on_line_n_fails_the_job_and_writes_nothing(app, client, runner, make_user, login, folder):
    data = good_file(6).replace(b"J3,2026-04-13,info_logement,telephone", b"J3,2026-04-13,info_logement,fax")
    job_id = queued(client, make_user, login, data)
    runner.invoke(args=["consultations", "import-jobs", "run"])
    job = job_of(app, job_id)
    assert (job.state, job.errors) == ("failed", [[5, "mode", "code inconnu (voir le format d'import)."]])
    assert count(app) == 0 and count(app, Household) == 0 and stored(folder) == []
    page = client.get(f"{URL}/jobs/{job_id}").get_data(as_text=True)
    assert "1 erreur(s) : rien n'a été importé" in page and "<td>5</td><td>mode</td>" in page


def test_the_page_of_a_job_past_its_retention_says_its_errors_were_erased(
    app, client, runner, make_user, login, folder
):
    data = good_file(6).replace(b"J3,2026-04-13,info_logement,telephone", b"J3,2026-04-13,info_logement,fax")
    job_id = queued(client, make_user, login, data)
    runner.invoke(args=["consultations", "import-jobs", "run"])
    with app.app_context():
        assert retention.purge(job_of(app, job_id).finished_at + timedelta(days=31))["import_jobs"] == 1
        db.session.commit()
    response = client.get(f"{URL}/jobs/{job_id}")
    page = re.sub(r"\s+", " ", response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Le détail des erreurs a été effacé après 30 jours (durée de conservation)." in page
    assert "Import en arrière-plan : (fichier effacé)" in page and "rien n'a été importé" in page
    assert "gros.csv" not in page and "fax" not in page and "<table" not in page
    assert "(fichier effacé)" in client.get(URL).get_data(as_text=True)  # in the import page's list too


def test_the_page_shows_the_progress_while_the_job_runs(app, client, make_user, login, folder, monkeypatch):
    """Each time the runner reports progress, the job's page is read by another request (its own
    connection, as the web process would), while the import's transaction is still open."""
    job_id = queued(client, make_user, login, good_file(4500))
    seen = []
    write = import_jobs._Progress.write

    def write_and_look(progress):
        write(progress)
        reader = threading.Thread(target=lambda: seen.append(client.get(f"{URL}/jobs/{job_id}")))
        reader.start()
        reader.join()

    monkeypatch.setattr(import_jobs._Progress, "write", write_and_look)
    with app.app_context():
        assert import_jobs.run_pending() == 1
    pages = [
        (response.headers.get("Refresh"), re.sub(r"\s+", " ", response.get_data(as_text=True))) for response in seen
    ]
    assert all(refresh == "3" for refresh, _ in pages)
    # (\s+ above made the thousands' thin spaces plain spaces)
    assert any("Vérification du fichier : 2 000 ligne(s) vérifiée(s) sur environ 4 500" in page for _, page in pages)
    assert any("Écriture : 4 000 consultation(s) sur 4 500" in page for _, page in pages)
    assert '<progress max="4500" value="2000"' in pages[-3][1]
    assert count(app) == 4500 and job_of(app, job_id).state == "done"


def test_a_job_left_running_by_a_dead_process_is_failed_and_nothing_is_kept(
    app, client, make_user, login, folder, monkeypatch
):
    job_id = queued(client, make_user, login, good_file(4500))
    add = import_jobs._Progress.add

    def die_while_writing(progress, rows):
        add(progress, rows)
        if progress.state == "writing":
            raise SystemExit(9)  # as if the process were killed after a batch was written

    monkeypatch.setattr(import_jobs._Progress, "add", die_while_writing)
    with app.app_context(), pytest.raises(SystemExit):
        import_jobs.run_pending()
    monkeypatch.undo()
    assert job_of(app, job_id).state in import_jobs.RUNNING and stored_bytes(app, job_id) == good_file(4500)
    page = client.get(f"{URL}/jobs/{job_id}").get_data(as_text=True)
    assert "Écriture : 2\u202f000 consultation(s) sur 4\u202f500" in page  # what it had reached

    with app.app_context():
        assert import_jobs.run_pending() == 0
    job = job_of(app, job_id)
    assert (job.state, job.errors) == ("failed", [[0, "", import_jobs.INTERRUPTED]])
    assert count(app) == 0 and count(app, Household) == 0 and stored(folder) == [] and stored_bytes(app, job_id) == b""
    assert "Import interrompu" in client.get(f"{URL}/jobs/{job_id}").get_data(as_text=True)


def test_one_runner_at_a_time(app, client, make_user, login, folder):
    job_id = queued(client, make_user, login, good_file(5))
    with app.app_context(), import_jobs._runner_lock() as alone:
        assert alone
        assert import_jobs.run_pending() is None  # another runner holds the lock: the job is not touched
    assert job_of(app, job_id).state == "queued"


def test_a_file_gone_missing_fails_with_a_french_message(app, client, make_user, login, folder):
    job_id = queued(client, make_user, login, good_file(5))
    with app.app_context():
        db.session.execute(delete(ImportFile))
        db.session.commit()
        assert import_jobs.run_pending() == 1
    job = job_of(app, job_id)
    assert (job.state, job.errors) == ("failed", [[0, "", import_jobs.UNEXPECTED]]) and count(app) == 0


def test_the_scheduler_runs_queued_jobs(app, client, make_user, login, folder):
    job_id = queued(client, make_user, login, good_file(5))
    assert run_import_jobs(app) == 1
    assert job_of(app, job_id).state == "done" and count(app) == 5


def test_only_its_creator_and_administrators_see_a_job(app, client, make_user, login, folder):
    job_id = queued(client, make_user, login, good_file(5))
    assert client.get(f"{URL}/jobs/{job_id}").status_code == 200
    manager = client_of(app, make_user("manager"))
    assert manager.get(f"{URL}/jobs/{job_id}").status_code == 403
    assert manager.get(URL).status_code == 200 and "gros.csv" not in manager.get(URL).get_data(as_text=True)
    jurist = client_of(app, make_user("jurist"))
    assert jurist.get(f"{URL}/jobs/{job_id}").status_code == 403 and jurist.get(URL).status_code == 403
    admin = client_of(app, make_user("admin"))
    assert admin.get(f"{URL}/jobs/{job_id}").status_code == 200
    assert admin.get(f"{URL}/jobs/{job_id + 1}").status_code == 404
    assert app.test_client().get(f"{URL}/jobs/{job_id}").status_code == 302  # to the login page
    with app.app_context():
        assert db.session.scalar(select(Consultation.id)) is None


def test_a_job_keeps_the_first_1000_errors_and_counts_the_others(app, client, runner, make_user, login, folder):
    data = good_file(1200).replace(b",telephone,", b",fax,")
    job_id = queued(client, make_user, login, data)
    runner.invoke(args=["consultations", "import-jobs", "run"])
    job = job_of(app, job_id)
    assert (job.state, len(job.errors), job.more_errors) == ("failed", 1000, 200)
    assert job.errors[0] == [2, "mode", "code inconnu (voir le format d'import)."]
    page = client.get(f"{URL}/jobs/{job_id}").get_data(as_text=True)
    assert "1\u202f200 erreur(s) : rien n'a été importé" in page and page.count("<tr><td>") == 1000
    assert "200 autre(s) erreur(s), non listée(s)" in page and count(app) == 0
