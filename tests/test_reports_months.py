"""Months of the reports page, its downloads and the command: ASCII digits, years 2000 to 2100, a
French message otherwise, and a download name built only from what was understood."""

import pytest

from hotline.reports.services import parse_month

WRONG = [
    "0001-01",
    "1999-12",
    "2101-01",
    "2026-13",
    "2026-00",
    "2026-\r\n01",
    "２０２６-01",
    "2026-０１",
    "2026",
    "2026-1-1",
    "+2026-01",
    "9" * 5000 + "-01",
    "2026-01\x00",
    "",
]


@pytest.mark.parametrize("text", WRONG)
def test_a_wrong_month_is_a_french_error(text):
    with pytest.raises(ValueError, match="n'est pas un mois|entre 2000-01 et 2100-12"):
        parse_month(text)


def test_months_as_people_type_them():
    assert [f"{parse_month(t):%Y-%m}" for t in ("2026-03", "2026-3", " 2026-03 ", "2000-01", "2100-12")] == [
        "2026-03",
        "2026-03",
        "2026-03",
        "2000-01",
        "2100-12",
    ]


@pytest.mark.parametrize(
    "first,last",
    [("0001-01", "0001-02"), ("2026-\r\n01", "2026-02"), ("２０２６-01", "2026-02"), ("2026-01", "9" * 5000)],
)
def test_the_page_and_the_downloads_refuse_it_in_french(client, make_user, login, first, last):
    login(make_user("manager"))
    page = client.get("/reports/", query_string={"from": first, "to": last})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'class="error" role="alert"' in text and "Télécharger" not in text
    for fmt in ("csv", "xlsx", "pdf"):
        download = client.get(f"/reports/export.{fmt}", query_string={"from": first, "to": last})
        assert download.status_code == 400 and "Content-Disposition" not in download.headers
        assert "n'est pas un mois" in download.get_data(
            as_text=True
        ) or "entre 2000-01 et 2100-12" in download.get_data(as_text=True)


def test_the_download_name_is_the_month_understood(client, make_user, login):
    login(make_user("manager"))
    download = client.get("/reports/export.csv", query_string={"from": " 2026-1", "to": "2026-02"})
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == "attachment; filename=rapport-toutes-missions-2026-01-2026-02.csv"
    page = client.get("/reports/", query_string={"from": "2026-1", "to": "2026-2"}).get_data(as_text=True)
    assert "from=2026-01&amp;to=2026-02" in page


def test_the_command_refuses_it_in_french(runner):
    result = runner.invoke(args=["reports", "export", "--from", "0001-01", "--to", "0001-02"])
    assert result.exit_code == 2 and "entre 2000-01 et 2100-12" in result.output
