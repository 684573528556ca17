"""Flags on a household ("ne pas rappeler", "ne pas envoyer de SMS"): set and cleared on its page by a jurist
who may read it, audited, a wrong value shown at its field with what was typed kept; `blocks` and
`sms_refused` for the callback list, the reminders and the voice menu's self-service SMS."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import PASSWORD, csrf_token
from html_forms import form_with
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hotline.consultations import flags
from hotline.consultations.models import Household, HouseholdFlag
from hotline.core.audit import AuditEvent
from hotline.extensions import db

TODAY = "2026-12-01T10:00"
PHONE = "+33612345678"


@pytest.fixture
def followed(app, jurist, make_household, make_consultation):
    """A household the jurist follows (a consultation of their mission)."""
    app.config["FIXED_NOW"] = TODAY
    household = make_household(name="Famille Martin", phone=PHONE)
    make_consultation(household=household, jurist_id=jurist.id, date=date(2026, 11, 20))
    return household


def page(client, household) -> str:
    response = client.get(f"/households/{household.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_flag(client, household, kind, **fields):
    opened = form_with(page(client, household), f"{kind}-reason")
    return client.post(f"/households/{household.id}/flags/{kind}", data=opened | fields)


def audit_actions(app, household) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.object_id == str(household.id), AuditEvent.action.like("household.flag%"))
                .order_by(AuditEvent.id)
            )
        )


def test_a_jurist_sets_and_clears_a_flag_on_the_household_page(app, client, login, jurist, followed):
    login(jurist)
    assert "Aucun signalement" in page(client, followed)
    response = post_flag(client, followed, "sms", **{"sms-reason": "safety", "sms-ends_on": "2027-01-31"})
    assert response.status_code == 302 and response.location.endswith(f"/households/{followed.id}#flags")
    html = page(client, followed)
    shown = re.search(r'<li id="flag-sms">(.*?)</li>', html, re.S).group(1)
    assert "Ne pas envoyer de SMS" in shown and "Sécurité" in shown and "jusqu'au 31/01/2027 inclus" in shown
    assert "Julie Juriste" in shown
    with app.app_context():
        assert flags.blocks(followed.id, "sms", date(2027, 1, 31))  # its last day included
        assert not flags.blocks(followed.id, "sms", date(2027, 2, 1))
        assert not flags.blocks(followed.id, "callback", date(2026, 12, 1))
        assert flags.sms_refused("06 12 34 56 78", date(2026, 12, 1))  # the household's number, however written
        assert not flags.sms_refused("+33698765432", date(2026, 12, 1))

    clear = form_with(html, "action") | {"action": "clear"}  # the first form with an action: the flag's "Retirer"
    response = client.post(f"/households/{followed.id}/flags/sms", data=clear)
    assert response.status_code == 302
    assert "Aucun signalement" in page(client, followed)
    assert audit_actions(app, followed) == ["household.flag.sms.set", "household.flag.sms.clear"]


def test_a_flag_without_end_date_holds_until_cleared_and_a_second_save_replaces_it(
    app, client, login, jurist, followed
):
    login(jurist)
    post_flag(client, followed, "callback", **{"callback-reason": "household_request"})
    post_flag(client, followed, "callback", **{"callback-reason": "wrong_number", "callback-ends_on": "2026-12-24"})
    with app.app_context():
        rows = db.session.scalars(select(HouseholdFlag).where(HouseholdFlag.household_id == followed.id)).all()
        assert [(r.kind, r.reason, r.ends_on) for r in rows] == [("callback", "wrong_number", date(2026, 12, 24))]
        assert flags.blocks(followed.id, "callback", date(2026, 12, 24))
    assert "sans date de fin" not in page(client, followed)


def test_the_modify_form_opens_with_the_flags_values_and_keeps_what_was_typed_on_an_error(
    app, client, login, jurist, followed
):
    login(jurist)
    post_flag(client, followed, "callback", **{"callback-reason": "wrong_number", "callback-ends_on": "2026-12-24"})
    html = page(client, followed)
    assert re.search(r'<details id="flag-form-callback">\s*<summary>Modifier « Ne pas rappeler »', html)
    opened = form_with(html, "callback-reason")
    assert (opened["callback-reason"], opened["callback-ends_on"]) == ("wrong_number", "2026-12-24")
    unset = form_with(html, "sms-reason")  # no flag of that kind: its form opens empty
    assert (unset["sms-reason"], unset["sms-ends_on"]) == ("", "")
    # A change with a wrong last day: refused, what was typed kept (not the flag's values).
    response = client.post(
        f"/households/{followed.id}/flags/callback",
        data=opened | {"callback-reason": "safety", "callback-ends_on": "2026-11-30"},
    )
    assert response.status_code == 422
    kept = form_with(response.get_data(as_text=True), "callback-reason")
    assert (kept["callback-reason"], kept["callback-ends_on"]) == ("safety", "2026-11-30")
    # The flag's own form, opened and sent back unchanged but for its reason, keeps its last day.
    client.post(f"/households/{followed.id}/flags/callback", data=opened | {"callback-reason": "safety"})
    with app.app_context():
        flag = db.session.scalars(select(HouseholdFlag)).one()
        assert (flag.kind, flag.reason, flag.ends_on) == ("callback", "safety", date(2026, 12, 24))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sms-reason": "", "sms-ends_on": "2027-01-31"}, "Choisissez le motif."),
        ({"sms-reason": "<script>", "sms-ends_on": "2027-01-31"}, "Choisissez le motif."),
        ({"sms-reason": "safety", "sms-ends_on": "2026-11-30"}, "La date de fin ne peut pas être passée"),
        ({"sms-reason": "safety", "sms-ends_on": "2031-01-01"}, "Date trop lointaine"),
        ({"sms-reason": "safety", "sms-ends_on": "31/02/2027"}, "date"),
    ],
)
def test_a_wrong_value_is_named_at_its_field_and_what_was_typed_is_kept(
    app, client, login, jurist, followed, fields, message
):
    login(jurist)
    response = post_flag(client, followed, "sms", **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message.lower() in html.lower()
    kept = form_with(html, "sms-reason")
    assert kept["sms-ends_on"] == fields["sms-ends_on"]
    assert '<details open id="flag-form-sms">' in html
    with app.app_context():
        assert db.session.scalar(select(HouseholdFlag)) is None


def test_only_a_jurist_who_may_read_the_household_sets_a_flag(app, make_user, followed):
    other = make_user("jurist", missions=("prevention_expulsion",))  # the household has no consultation of theirs
    manager = make_user("manager")
    for user in (other, manager):
        browser = app.test_client()
        token = csrf_token(browser, "/login")
        browser.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        data = {"action": "set", "sms-reason": "safety", "csrf_token": csrf_token(browser, "/households/")}
        assert browser.post(f"/households/{followed.id}/flags/sms", data=data).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(HouseholdFlag)) is None


def test_an_unknown_kind_is_a_404(client, login, jurist, followed):
    login(jurist)
    opened = form_with(page(client, followed), "sms-reason")
    assert client.post(f"/households/{followed.id}/flags/letters", data=opened).status_code == 404


def test_a_flag_goes_with_its_household(app, followed, ctx):
    household = db.session.get(Household, followed.id)
    flags.set_flag(household, "sms", "other", None, None, date(2026, 12, 1))
    db.session.commit()
    db.session.delete(household)
    db.session.commit()
    assert db.session.scalar(select(HouseholdFlag)) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    reason=st.one_of(st.sampled_from(["", "safety", "other", "household_request"]), st.text(max_size=40)),
    ends_on=st.one_of(
        st.just(""),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        st.text(max_size=20),
    ),
    kind=st.sampled_from(["sms", "callback"]),
)
def test_any_typed_flag_is_saved_or_refused_in_french_never_a_500(
    app, client, login, jurist, followed, reason, ends_on, kind
):
    if not getattr(client, "_logged", False):
        login(jurist)
        client._logged = True
    response = post_flag(client, followed, kind, **{f"{kind}-reason": reason, f"{kind}-ends_on": ends_on})
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        html = response.get_data(as_text=True)
        assert 'class="error"' in html and form_with(html, f"{kind}-reason")[f"{kind}-ends_on"] in (
            ends_on,
            ends_on.strip(),
        )
    else:
        with app.app_context():
            assert flags.blocks(followed.id, kind, date(2026, 12, 1))
