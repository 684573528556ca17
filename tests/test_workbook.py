"""The XLSX read back with openpyxl: sheets to read (one per group of indicators, French labels, column headers,
numbers as numbers), the tidy sheet unchanged, and no cell a spreadsheet would run as a formula."""

import io
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_bilan import EVICTION, TERRITORIES, last_year, this_year

from hotline.reports import bilan, labels, tidy, workbook


def book(notes=None):
    rows = this_year()
    bilans = bilan.assemble(rows, date(2026, 3, 1), date(2026, 4, 1), [EVICTION], TERRITORIES, last_year(), notes)
    return rows, load_workbook(io.BytesIO(workbook.to_xlsx(rows, bilans)))


def lines(sheet):
    return [[v for v in line if v is not None] for line in sheet.iter_rows(values_only=True)]


def test_one_sheet_per_group_of_indicators_then_the_tidy_sheet():
    rows, read = book()
    assert read.sheetnames == [
        "Chiffres clés",
        "Territoires",
        "Mois",
        "Année précédente",
        "Numéro vert",
        "Profil des ménages",
        "Profil des consultations",
        "Ménages suivis",
        "Résultats",
        "Analyse qualitative",
        "rapport",
    ]
    key = lines(read["Chiffres clés"])
    assert key[0] == ["Prévention des expulsions locatives (numéro vert) — Chiffres clés"]
    assert ["Indicateur", "03/2026 à 04/2026", "03/2025 à 04/2025", "Évolution"] in key
    assert ["Consultations", 3, 1, 2.0] in key  # +2: on a base under 20 the difference, not +200 %
    assert not [line for line in key if line[0] == "Montant total des dettes"]  # per consultation: not a key figure
    assert [labels.indicator("household_debt_sum"), 0, 0, 0] in key  # the households' one debt total
    territories = lines(read["Territoires"])
    assert ["Territoire", "Consultations", "Part"] in territories and ["Lens-Hénin", 2, 2 / 3] in territories
    months = lines(read["Mois"])
    assert ["Territoire", "03/2026", "04/2026", "Total"] in months and ["Boulonnais", 0, 1, 1] in months
    profile = lines(read["Profil des ménages"])
    assert ["Situation familiale", "Parc privé", "Parc social", "Non renseigné", "Total"] in profile
    assert ["Couple avec enfant(s)", 2, 0, 0, 2] in profile
    assert ["Téléphone", 3, 1] in lines(read["Profil des consultations"])
    tidy_sheet = [[("" if v is None else v) for v in line] for line in read["rapport"].iter_rows(values_only=True)]
    assert tidy_sheet[0] == list(tidy.COLUMNS) and len(tidy_sheet) == len(rows) + 1
    assert [EVICTION, "total", "all", "debt_amount_sum", "", 3200.5] in tidy_sheet


def first_lines(sheet):
    """The first line of the sheet that each label names."""
    found = {}
    for line in sheet.iter_rows():
        found.setdefault(line[0].value, line)
    return found


def test_number_formats_for_people():
    _, read = book()
    sheet = read["Chiffres clés"]
    cells = first_lines(sheet)
    assert cells[labels.indicator("household_debt_sum")][1].number_format == workbook.EUROS
    assert cells["Consultations"][3].number_format == workbook.DIFFERENCE
    territories = first_lines(read["Territoires"])
    assert territories["Lens-Hénin"][2].number_format == workbook.PERCENT


def test_the_rows_alone_make_readable_sheets_too():
    read = load_workbook(io.BytesIO(workbook.to_xlsx(this_year())))
    assert "Chiffres clés" in read.sheetnames and "rapport" in read.sheetnames
    assert ["Lens-Hénin", 2, 2 / 3] in lines(read["Territoires"])


@settings(max_examples=30, deadline=None)
@given(st.sampled_from("=+-@"), st.text(max_size=30))
def test_text_that_starts_like_a_formula_is_neutralised(start, rest):
    text = start + rest
    _, read = book({EVICTION: text})
    for sheet in read.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    written = lines(read["Analyse qualitative"])
    if len(written) > 1 and written[1][0] != bilan.NO_NOTE:  # a text of blanks alone is no analysis
        assert written[1][0].startswith("'" + start)


def test_a_formula_in_the_analysis_stays_text():
    _, read = book({EVICTION: '=HYPERLINK("http://example.org","clic")'})
    assert lines(read["Analyse qualitative"])[1] == ['\'=HYPERLINK("http://example.org","clic")']


def _read_back(body: bytes) -> dict:
    read = load_workbook(io.BytesIO(body))
    return {
        sheet.title: (
            [
                (
                    c.coordinate,
                    c.value,
                    c.data_type,
                    c.number_format,
                    c.font.b,
                    c.font.i,
                    c.font.sz,
                    c.alignment.wrap_text,
                )
                for line in sheet.iter_rows()
                for c in line
            ],
            {key: dimension.width for key, dimension in sheet.column_dimensions.items()},
            sheet.freeze_panes,
        )
        for sheet in read.worksheets
    }


def _openpyxl_tidy(rows: list[tidy.Row]) -> bytes:
    """The tidy sheet as openpyxl itself writes it, a cell per value (what workbook._tidy_rows stands for)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(workbook.TIDY_SHEET)
    sheet.freeze_panes = "A2"
    sheet.append(list(tidy.COLUMNS))
    for row in rows:
        value = row.value
        if isinstance(value, Decimal):
            value = WriteOnlyCell(sheet, float(value))
            value.number_format = workbook.AMOUNT
        texts = (row.mission, row.period, row.territory, row.indicator, row.category)
        sheet.append([*(workbook.neutralised(text) for text in texts), value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# "\r" apart: et_xmlfile (openpyxl without lxml) writes it bare, and XML reads a bare "\r" back as "\n" (see below).
TEXTS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=12),
    st.sampled_from(["", " espace ", "a&b<c>d\"e'", "ligne\nsuite", "#N/A", "=1+1", "-", "@x", "\x00\x1f", "é€"]),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            TEXTS,
            TEXTS,
            TEXTS,
            TEXTS,
            TEXTS,
            st.one_of(
                st.integers(-(10**18), 10**18),
                st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
            ),
        ),
        max_size=8,
    )
)
def test_the_tidy_rows_are_written_as_openpyxl_writes_them(lines):
    """The tidy sheet's rows, written as XML by the workbook itself (a cell object per cell cost 5 times more), read
    back as the sheet openpyxl writes for the same values: escaping, spaces kept, formulas neutralised, control
    characters left out, error codes, amounts with their number format."""
    rows = [tidy.Row(*line) for line in lines]
    assert _read_back(workbook.to_xlsx(rows, [])) == _read_back(_openpyxl_tidy(rows))


def test_a_year_of_tidy_rows_reads_back_as_openpyxl_wrote_it():
    rows = [
        tidy.Row("prevention_expulsion", f"2026-{month:02}", territory, indicator, category, value)
        for month in range(1, 13)
        for territory in ("lens-henin", "boulonnais", "all")
        for indicator, category, value in (
            ("consultations", "", 120 + month),
            ("debt_amount_sum", "", Decimal("1234.56") * month),
            ("consultations_by_theme", "rapports_locatifs", 7),
        )
    ]
    ours = load_workbook(io.BytesIO(workbook.to_xlsx(rows, [])))[workbook.TIDY_SHEET]
    theirs = load_workbook(io.BytesIO(_openpyxl_tidy(rows)))[workbook.TIDY_SHEET]
    assert [[c.value for c in line] for line in ours.iter_rows()] == [
        [c.value for c in line] for line in theirs.iter_rows()
    ]
    assert [c.number_format for c in ours["F"]] == [c.number_format for c in theirs["F"]]
    assert ours.freeze_panes == theirs.freeze_panes == "A2" and ours.max_row == len(rows) + 1


def test_the_tidy_rows_make_no_cell_object_per_value(monkeypatch):
    """openpyxl's cell objects cost about 7 microseconds a value (type checks, styles, then the XML writer's calls):
    the tidy rows are written without them, whatever their number."""
    from openpyxl.cell import cell as cells

    made = []
    original = cells.Cell.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(cells.Cell, "__init__", counted)
    rows = [tidy.Row("info_logement", "2026-01", "all", "consultations", "", n) for n in range(2_000)]
    rows += [tidy.Row("info_logement", "total", "all", "debt_amount_sum", "", Decimal("12.50"))] * 500
    workbook.to_xlsx(rows, [])
    assert len(made) < 20


def test_a_carriage_return_in_a_tidy_text_reads_back_as_written():
    rows = [tidy.Row("info_logement", "2026-01", "all", "consultations", "ligne\r\nsuite", 3)]
    read = load_workbook(io.BytesIO(workbook.to_xlsx(rows, [])))[workbook.TIDY_SHEET]
    assert read["E2"].value == "ligne\r\nsuite"
