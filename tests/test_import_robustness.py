"""An import file of any content gets a list of French errors by line and column, and nothing is
written: bytes that are no text, cells too long to read, numbers too large for their column."""

import io

import pytest
from conftest import csrf_token
from test_import import count, run

from hotline.consultations.imports.parse import IDENTIFIER_MAX
from hotline.consultations.models import Consultation, Household

GOOD = b"2026-03-02,info_logement,telephone"


def problems(result) -> list[tuple[int, str]]:
    return [(p.line, p.column) for p in result.problems]


def test_a_byte_neither_utf8_nor_windows_1252(app):
    data = b"date,mission,mode,themes\n" + GOOD + b",\n" + GOOD + b",rapports_locatifs\x81\n"
    result = run(app, data)
    assert problems(result) == [(3, "themes")]
    assert "ni UTF-8 ni Windows-1252" in result.problems[0].message
    assert count(app) == 0


def test_such_a_byte_in_the_header_or_after_a_bom(app):
    result = run(app, b"date,mission,mode\x81\n" + GOOD + b"\n")
    assert problems(result) == [(1, "n° 3")] and "ni UTF-8 ni Windows-1252" in result.problems[0].message
    result = run(app, b"\xef\xbb\xbfdate,mission,mode,themes\n" + GOOD + b",\x81\n")
    assert problems(result) == [(2, "themes")]  # still UTF-8: the BOM says so
    assert count(app) == 0


def test_a_header_cell_over_128_kb(app):
    result = run(app, b"date,mission," + b"m" * 200_000 + b"\n" + GOOD + b"\n")
    assert problems(result) == [(1, "n° 3")]
    assert "plus de 131072 caractères" in result.problems[0].message and count(app) == 0


def test_a_cell_over_128_kb_is_named(app):
    result = run(app, b"date,mission,mode,themes\n" + GOOD + b",\n" + GOOD + b',"' + b"x" * 200_000 + b'"\n')
    assert problems(result) == [(3, "themes")] and "plus de 131072 caractères" in result.problems[0].message


@pytest.mark.parametrize("minutes", ["9" * 5000, "99999999999999999999", "601", "２０", "-1", "1.5", "+5"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_minutes_out_of_range(app, minutes, dry_run):
    data = f"date,mission,mode,duration_minutes\n2026-03-02,info_logement,telephone,{minutes}\n".encode()
    result = run(app, data, dry_run=dry_run)
    assert problems(result) == [(2, "duration_minutes")]
    assert result.problems[0].message == "nombre entier de minutes attendu, de 0 à 600." and count(app) == 0


@pytest.mark.parametrize("column", ["external_id", "household_ref"])
@pytest.mark.parametrize("value", ["A" * (IDENTIFIER_MAX + 1), "A\x00B", "A\nB"])
def test_identifiers_too_long_or_with_control_characters(app, column, value):
    data = f'date,mission,mode,{column}\n2026-03-02,info_logement,telephone,"{value}"\n'.encode()
    result = run(app, data)
    assert problems(result) == [(2, column)] and count(app) == 0 and count(app, Household) == 0


def test_identifiers_at_their_limit_import(app):
    data = f"date,mission,mode,external_id,household_ref\n2026-03-02,info_logement,telephone,{'E' * 80},{'H' * 80}\n"
    assert run(app, data.encode()).problems == [] and count(app) == 1


def test_the_limit_is_the_columns(app):
    assert Consultation.__table__.c.external_id.type.length == IDENTIFIER_MAX
    assert Household.__table__.c.external_ref.type.length == IDENTIFIER_MAX


def test_the_page_lists_them(app, client, make_user, login):
    login(make_user("manager"))
    url = "/consultations/import"
    data = b"date,mission,mode,duration_minutes\n" + GOOD + b"," + b"9" * 5000 + b"\n" + GOOD + b",\x81\n"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), "a.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 erreur(s) : rien n'a été importé" in page
    assert "<td>2</td><td>duration_minutes</td>" in page and "<td>3</td><td>duration_minutes</td>" in page
    assert count(app) == 0
