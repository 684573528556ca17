"""The reports page's default range ends at the last complete month: a month in progress would seem to fall."""

import re

import pytest


@pytest.mark.parametrize(
    "now, first, last",
    [
        ("2026-12-15T10:00", "2026-01", "2026-11"),
        ("2027-01-03T09:00", "2026-01", "2026-12"),  # in January, the whole year before
        ("2026-03-01T00:30", "2026-01", "2026-02"),
    ],
)
def test_the_default_range_ends_at_the_last_complete_month(
    app, client, login, make_user, monkeypatch, now, first, last
):
    monkeypatch.setitem(app.config, "FIXED_NOW", now)
    login(make_user("manager"))
    html = client.get("/reports/").get_data(as_text=True)
    assert re.search(r'id="from" name="from" type="month" value="([^"]*)"', html).group(1) == first
    assert re.search(r'id="to" name="to" type="month" value="([^"]*)"', html).group(1) == last
