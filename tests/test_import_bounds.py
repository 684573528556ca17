"""Issue 16, items 4 and 6: an import's work is bounded (columns, a linear header check, the first 1,000
errors and a count of the others) and its errors name line, column and reason, never the file's text."""

import csv
import io
import json
import time
from datetime import date

import pytest
from conftest import csrf_token
from flask_migrate import downgrade, upgrade
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from test_import import count
from test_properties_import import LOOKUPS
from test_sms_migration import database  # noqa: F401 - the fixture: a database of its own

from hotline import create_app
from hotline.consultations.imports.parse import COLUMNS, MAX_COLUMNS, MAX_PROBLEMS, REQUIRED, read
from hotline.extensions import db

TODAY = date(2026, 11, 28)
URL = "/consultations/import"
MARK = "QZX"  # in every cell of the files below: no problem may show it


def post(client, data: bytes):
    return client.post(
        URL,
        data={"csrf_token": csrf_token(client, URL), "file": (io.BytesIO(data), "f.csv")},
        content_type="multipart/form-data",
    )


# --- bounded work ---------------------------------------------------------------------------------


def test_a_header_of_40000_columns_is_refused_at_once():
    wide = ",".join(["date", "mission", "mode"] + [f"x{n}" for n in range(40_000)]).encode() + b"\n"
    started = time.perf_counter()
    parsed = read(wide, LOOKUPS, TODAY)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0  # 28.6 s before (header.count per name); a regression guard, not a benchmark
    assert [(p.line, p.column) for p in parsed.problems] == [(1, "")] and parsed.problems.more == 0
    assert parsed.problems[0].message.startswith(f"40\u202f003 colonnes : {MAX_COLUMNS} au plus")


def test_a_header_of_40000_repeated_known_columns_is_refused_at_once():
    wide = ",".join(list(COLUMNS) * 1400).encode() + b"\n"
    started = time.perf_counter()
    parsed = read(wide, LOOKUPS, TODAY)
    assert time.perf_counter() - started < 1.0 and len(parsed.problems) == 1


def test_the_page_answers_a_40000_column_header_within_a_second(app, client, make_user, login):
    login(make_user("manager"))
    wide = ";".join(["date", "mission", "mode"] + [f"{MARK}{n}" for n in range(40_000)]).encode() + b"\n"
    started = time.perf_counter()
    response = post(client, wide)
    elapsed = time.perf_counter() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and elapsed < 1.0
    assert "1 erreur(s) : rien n'a été importé" in page and "40\u202f003 colonnes : 200 au plus" in page
    assert MARK not in page


def test_up_to_200_columns_each_unknown_one_by_its_position_and_each_double_once():
    header = [*REQUIRED, "themes", "themes", "mode", *(f"{MARK}{n}" for n in range(MAX_COLUMNS - 6))]
    parsed = read(",".join(header).encode() + b"\n", LOOKUPS, TODAY)
    found = [(p.column, p.message) for p in parsed.problems]
    assert found[0] == ("n° 7", "colonne inconnue (voir le format d'import).")
    assert len([f for f in found if f[1].startswith("colonne inconnue")]) == MAX_COLUMNS - 6
    assert [f for f in found if f[1] == "colonne en double."] == [
        ("mode", "colonne en double."),
        ("themes", "colonne en double."),
    ]
    assert MARK not in repr(found)


def wrong_rows(n: int) -> bytes:
    return ("date,mission,mode\n" + "".join(f"2026-03-02,info_logement,{MARK}{i}\n" for i in range(n))).encode()


def test_the_first_1000_errors_are_kept_and_the_others_counted():
    parsed = read(wrong_rows(1500), LOOKUPS, TODAY)
    assert len(parsed.problems) == MAX_PROBLEMS and parsed.problems.more == 500 and parsed.problems.total == 1500
    assert [p.line for p in parsed.problems[:2]] == [2, 3] and parsed.problems[-1].line == 1001


def test_the_page_lists_the_first_1000_errors_and_counts_the_others(app, client, make_user, login):
    login(make_user("manager"))
    page = post(client, wrong_rows(1500)).get_data(as_text=True)
    assert "1 500 erreur(s) : rien n'a été importé" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert page.count("<tr><td>") == MAX_PROBLEMS and "<td>1001</td><td>mode</td>" in page
    assert "<td>1002</td>" not in page and "500 autre(s) erreur(s), non listée(s)" in page
    assert MARK not in page and count(app) == 0


def test_the_command_counts_the_errors_it_does_not_list(app, runner, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_bytes(wrong_rows(1003))
    result = runner.invoke(args=["consultations", "import", str(wrong)])
    assert result.exit_code == 1 and "… et 3 autre(s) erreur(s), non listée(s)." in result.output
    assert "1003 erreur(s) : rien n'a été importé." in result.output and MARK not in result.output


# --- no cell in any error ---------------------------------------------------------------------------


def marked():
    """A cell that is wrong for most columns, and holds MARK (as a name or a number typed there would)."""
    return st.builds(
        lambda before, after: f"{before}{MARK}{after}",
        st.sampled_from(["", "62", "2026-", "1", "info_logement|", "jugement=", "impayes_expulsion/", "0612", " "]),
        st.sampled_from(["", "=2026-01-01", "|outcomes", "00", ";", ",", '"', "=x"]),
    )


@st.composite
def files(draw):
    """Any subset of the format's columns, and perhaps columns it does not know; cells marked or not."""
    known = draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=12))
    extra = draw(st.lists(marked(), max_size=2))
    header = draw(st.permutations([*REQUIRED, *(c for c in known if c not in REQUIRED), *extra]))
    good = {"date": "2026-03-02", "mission": "prevention_expulsion", "mode": "telephone"}
    rows = draw(
        st.lists(st.tuples(*(st.one_of(marked(), st.just(good.get(c, ""))) for c in header)), min_size=1, max_size=5)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@settings(max_examples=300, deadline=None)
@given(files())
def test_no_error_quotes_the_file(data):
    parsed = read(data, LOOKUPS, TODAY)
    for problem in parsed.problems:
        assert MARK not in str(problem) and MARK not in problem.column


# --- the error lists already stored ------------------------------------------------------------------


def test_the_migration_scrubs_the_error_lists_already_stored(database):  # noqa: F811
    app = create_app({"TESTING": True, "DATABASE_URL": database})
    legacy = json.dumps(
        [
            [1, "Jean Dupont", "colonne inconnue (voir le format d'import)."],
            [7, "mode", "« 0611223344 » n'est pas un code connu."],
            [9, "procedure_acts", "« jugement=Dupont » : la date doit s'écrire AAAA-MM-JJ."],
            [12, "n° 3", "caractère illisible"],
            [0, "", "Import interrompu"],
        ]
    )
    with app.app_context():
        upgrade(revision="c5a9e3d7f182")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO import_jobs (id, state, filename, rows_done, errors, created_at) "
                    "VALUES (1, 'failed', 'a.csv', 0, :errors, '2026-12-01 08:00:00')"
                ),
                {"errors": legacy},
            )
        upgrade(revision="781781be3db6")
        with db.engine.connect() as connection:
            errors, more = connection.execute(text("SELECT errors, more_errors FROM import_jobs")).one()
        downgrade(revision="c5a9e3d7f182")
        db.engine.dispose()
    assert (json.loads(errors) if isinstance(errors, str) else errors) == [
        [1, "", "colonne inconnue (voir le format d'import)."],
        [7, "mode", "la valeur n'est pas un code connu."],
        [9, "procedure_acts", "la valeur : la date doit s'écrire AAAA-MM-JJ."],
        [12, "n° 3", "caractère illisible"],
        [0, "", "Import interrompu"],
    ]
    assert more is None


@pytest.mark.parametrize(
    "cell, message",
    [
        ("jugement=2026-13-01", "jugement (1er élément) : date illisible ou qui n'existe pas, attendu AAAA-MM-JJ."),
        (
            "assignation=2026-01-02|Dupont=2026-01-01",
            "2e élément de la cellule : attendu code=AAAA-MM-JJ avec un code "
            "de procedure_stages (sauf inconnu) ou de case_events.",
        ),
    ],
)
def test_a_wrong_act_is_named_by_its_rank(cell, message):
    data = f"date,mission,mode,household_ref,procedure_acts\n2026-03-02,prevention_expulsion,telephone,H1,{cell}\n"
    parsed = read(data.encode(), LOOKUPS, TODAY)
    assert [(p.line, p.column, p.message) for p in parsed.problems] == [(2, "procedure_acts", message)]
