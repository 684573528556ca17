"""Property: the import parser turns any bytes, and any cells under any header, into rows or a list
of errors by line; it never raises. Pure: no database."""

import csv
import io
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.consultations.imports.parse import COLUMNS, REQUIRED, Lookups, Problem, read

LOOKUPS = Lookups(
    commune_territory=lambda insee: "lens-henin" if insee == "62498" else None,
    postal_territories=lambda code: {"boulonnais"} if code == "62200" else set(),
    territories={"lens-henin", "boulonnais"},
)
TODAY = date(2026, 11, 28)
SAMPLES = {
    "date": ["2026-03-02", "2027-01-01", "0001-01-01"],
    "mission": ["info_logement", "prevention_expulsion"],
    "mode": ["telephone", "permanence"],
    "commune_insee": ["62498", "59350", "2A004"],
    "postal_code": ["62200", "62179"],
    "territory": ["lens-henin", "non_renseigne"],
    "themes": ["rapports_locatifs|impayes_expulsion/impaye_locataire"],
    "procedure_stage": ["jugement"],
    "debt_amount": ["1200,50", "99999999999999999999", "-1"],
    "habitat_indigne": ["0", "1"],
    "duration_minutes": ["30", "9" * 5000, "99999999999999999999", "٣"],
    "external_id": ["A1", "A" * 81],
    "household_ref": ["H1", "H\x00"],
}


def cell(column: str):
    return st.one_of(st.text(max_size=12), st.sampled_from(SAMPLES.get(column, ["inconnu"])))


def check(parsed, lines: int | None = None) -> None:
    """Every problem names a line and reads in French; rows carry their line; a data line is either a
    row or has problems, never both."""
    for problem in parsed.problems:
        assert isinstance(problem, Problem) and problem.line >= 1 and isinstance(problem.column, str)
        assert str(problem).startswith(f"ligne {problem.line}") and problem.message
    row_lines = [line for line, _ in parsed.rows]
    assert all(line >= 2 for line in row_lines) and len(set(row_lines)) == len(row_lines)
    assert not set(row_lines) & {p.line for p in parsed.problems}
    if parsed.problems:
        assert not parsed.rows or all(p.line > 1 for p in parsed.problems)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes(data):
    check(read(data, LOOKUPS, TODAY))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.binary(max_size=500), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.sampled_from([b"date,mission,mode\n", b"date;mission;mode;themes\n", b"\xef\xbb\xbfdate,mission,mode\n"]),
)
def test_any_bytes_after_a_good_header(body, header):
    check(read(header + body, LOOKUPS, TODAY))


@st.composite
def files(draw):
    header = draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=8).map(lambda cs: [*REQUIRED, *cs]))
    header = draw(st.permutations(header))
    rows = draw(st.lists(st.tuples(*(cell(column) for column in header)), max_size=6))
    delimiter = draw(st.sampled_from([",", ";"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
    )
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    # A lone "\r" is written unquoted under QUOTE_MINIMAL and read back as a line break: such a file
    # has other lines than these rows, so only whether it is read without raising is checked.
    same = [tuple(cells) for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)][1:] == rows
    return text.encode(encoding, errors="replace"), rows if same else None


@settings(max_examples=300, deadline=None)
@given(files())
def test_any_cells(file):
    data, rows = file
    parsed = read(data, LOOKUPS, TODAY)
    check(parsed)
    if rows is None or any(problem.line == 1 for problem in parsed.problems):
        return
    wrong = {problem.line for problem in parsed.problems}
    read_back = {line for line, _ in parsed.rows}
    for line, cells in enumerate(rows, start=2):
        if any(value.strip() for value in cells):
            assert (line in wrong) != (line in read_back), line
