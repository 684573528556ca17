"""Issue 16, item 7: without Twilio's settings, the SMS page tells jurists and managers to ask the
administrator, and only administrators (on their home) read the names of the settings missing."""

import re

import pytest


def warning(page: str) -> str | None:
    found = re.search(r'<p class="warning" role="status" id="sms-not-configured">(.*?)</p>', page, re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize("role", ["jurist", "manager"])
def test_jurists_and_managers_are_told_to_ask_the_administrator(app, client, make_user, login, role):
    login(make_user(role))
    page = client.get("/appointments/messages").get_data(as_text=True)
    assert warning(page).startswith("SMS non configurés : demandez à l'administrateur.")
    assert "HOTLINE_" not in page and "AUTH_TOKEN" not in page


def test_administrators_read_the_settings_that_are_missing(app, client, make_user, login):
    login(make_user("admin"))
    page = client.get("/").get_data(as_text=True)
    section = re.search(r'<section class="card" aria-labelledby="sms-title" id="sms">(.*?)</section>', page, re.S)
    assert section is not None and "SMS non configurés" in section.group(1)
    names = re.findall(r"<li><code>([A-Z_]+)</code></li>", section.group(1))
    assert names == ["HOTLINE_TWILIO_ACCOUNT_SID", "HOTLINE_SMS_FROM"]  # the tests' app has an auth token


def test_nothing_is_said_once_sms_are_configured(app, client, make_user, login):
    app.config.update(TWILIO_ACCOUNT_SID="AC" + "1" * 32, SMS_FROM="+33700000000")
    login(make_user("admin"))
    assert 'id="sms-title"' not in client.get("/").get_data(as_text=True)
    client.post(
        "/logout",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(
                1
            )
        },
    )
    login(make_user("jurist"))
    assert warning(client.get("/appointments/messages").get_data(as_text=True)) is None
