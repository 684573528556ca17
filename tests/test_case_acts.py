"""Deleting an act of the procedure entered by mistake, from the household's case page: who may, the
confirmation step, the deadlines and notices recomputed, the audit, and what it leaves of the
consultation that stated the act."""

import re
from datetime import date

import pytest
from conftest import csrf_token
from sqlalchemy import func, select
from test_consultations import form_data
from test_consultations_case import page_of
from test_consultations_robustness import logged_in_client

from hotline.auth.models import User
from hotline.cases.models import ProcedureAct
from hotline.cases.services import act_dates, case_of, stated_at
from hotline.consultations.models import Consultation, ConsultationRevision, Household
from hotline.consultations.services import coming_deadlines
from hotline.core.audit import AuditEvent
from hotline.extensions import db

# A lease of 2019 (two months to pay), a commandement de payer typed on the wrong day, an assignation.
CASE = {
    "lease_signed_on": "2019-09-01",
    "landlord_type": "personne_physique",
    "rent_amount": "540,00",
    "housing_benefit": "versee_bailleur",
    "act_commandement_payer": "2026-10-03",
    "act_assignation": "2026-11-14",
}


def acts_table(page: str) -> dict[str, str]:
    """{act's French name: its date as shown} read from the table #acts of the household page."""
    table = page.split('id="acts"')[1].split("</table>")[0] if 'id="acts"' in page else ""
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td[^>]*><time datetime="[^"]+">([^<]+)</time>', table))


def notice_keys(page: str) -> set[str]:
    return set(re.findall(r'class="notice" role="note" id="notice-([a-z_]+)"', page))


def delete_links(page: str) -> list[str]:
    return re.findall(r'href="(/households/\d+/acts/\d+/delete)"', page)


def follow_up(client, household_id: int, **acts) -> None:
    """A follow-up consultation of the household, stating these act dates, through the form."""
    new = f"/consultations/new?household={household_id}"
    response = client.post(
        new,
        data=form_data(
            client,
            url=new,
            household_name=None,
            household_phone=None,
            household_adults=None,
            household_children=None,
            household_id=str(household_id),
            **acts,
        ),
    )
    assert response.status_code == 302, page_of(response)[:1000]


@pytest.fixture
def followed(app, client, jurist, login):
    """A household whose eviction consultation (recorded through the form) stated the acts of CASE."""
    app.config["FIXED_NOW"] = "2026-11-25T10:00"
    login(jurist)
    response = client.post("/consultations/new", data=form_data(client, **CASE))
    assert response.status_code == 302, page_of(response)[:1000]
    with app.app_context():
        household = db.session.scalar(select(Household))
        act = db.session.scalar(select(ProcedureAct).where(ProcedureAct.stage == "commandement_payer"))
        return household.id, act.id


def test_a_jurist_of_the_eviction_mission_deletes_a_mistaken_act(app, client, followed):
    household_id, act_id = followed
    url = f"/households/{household_id}/acts/{act_id}/delete"
    before = page_of(client.get(f"/households/{household_id}"))
    assert acts_table(before) == {
        "Commandement de payer visant la clause résolutoire": "03/10/2026",
        "Assignation devant le juge": "14/11/2026",
    }
    assert "clause_resolutoire" in notice_keys(before)
    assert url in delete_links(before)

    confirm = page_of(client.get(url))
    question = re.search(r'<h2 id="question">([^<]+)</h2>', confirm).group(1)
    assert question == "Supprimer l'acte « Commandement de payer visant la clause résolutoire » du 03/10/2026 ?"
    assert f'<form method="post" action="{url}"' in confirm
    assert "consultation du 20/11/2026" in confirm.split('id="stated-at"')[1]
    with app.app_context():
        assert act_dates(case_of(db.session.get(Household, household_id)))["commandement_payer"] == date(2026, 10, 3)

    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/households/{household_id}")
    after = page_of(client.get(f"/households/{household_id}"))
    flash = re.search(r'<p class="flash flash-success" role="status">([^<]+)</p>', after).group(1)
    assert flash == (
        "L'acte « Commandement de payer visant la clause résolutoire » du 03/10/2026 a été supprimé du dossier ; "
        "les dates calculées ont été mises à jour."
    )
    assert acts_table(after) == {"Assignation devant le juge": "14/11/2026"}
    # The deadline to pay came from the commandement alone: recomputed without it.
    assert "clause_resolutoire" not in notice_keys(after)
    history = after.split('id="corrected-acts"')[1].split("</details>")[0]
    assert "Dates corrigées ou supprimées depuis (1)" in history
    assert (
        "Commandement de payer visant la clause résolutoire : 03/10/2026" in history
        and "supprimé (erreur de saisie)" in history
    )
    with app.app_context():
        act = db.session.get(ProcedureAct, act_id)
        assert act.deleted_at is not None and act.replaced_at is not None  # kept, out of the current acts
        assert act_dates(case_of(db.session.get(Household, household_id))) == {"assignation": date(2026, 11, 14)}


def test_the_deletion_is_audited_without_personal_data(app, client, jurist, followed):
    household_id, act_id = followed
    url = f"/households/{household_id}/acts/{act_id}/delete"
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "procedure_act.delete")).all()
        assert [(e.user_id, e.object_type, e.object_id) for e in events] == [(jurist.id, "procedure_act", str(act_id))]
        assert events[0].at is not None
        detail = " ".join(str(value) for value in (events[0].action, events[0].object_type, events[0].object_id))
        assert "Durand" not in detail and "2026" not in detail and "0611223344" not in detail


def test_the_consultation_that_stated_the_act_is_not_changed(app, client, followed):
    household_id, act_id = followed
    with app.app_context():
        consultation = db.session.scalar(select(Consultation))
        kept = (consultation.id, consultation.procedure_stage, consultation.version, consultation.notes)
    url = f"/households/{household_id}/acts/{act_id}/delete"
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    with app.app_context():
        consultation = db.session.get(Consultation, kept[0])
        assert (consultation.id, consultation.procedure_stage, consultation.version, consultation.notes) == kept
        # its history says that the act was deleted, and by whom (issue 15: every change to an act)
        deletion = db.session.scalars(select(ConsultationRevision).order_by(ConsultationRevision.id.desc())).first()
        assert deletion.changes == {"acts.commandement_payer": ["2026-10-03", None]}
        assert deletion.changed_by_id is not None
        assert {code: act.occurred_on for code, act in stated_at(consultation)[1].items()} == {
            "assignation": date(2026, 11, 14)
        }
    edit = page_of(client.get(f"/consultations/{kept[0]}/edit"))
    assert not re.search(r'id="act_commandement_payer"[^>]*value="2026', edit)
    assert re.search(r'id="act_assignation"[^>]*value="2026-11-14"', edit)


def test_a_post_without_its_csrf_token_deletes_nothing(app, client, followed):
    household_id, act_id = followed
    response = client.post(f"/households/{household_id}/acts/{act_id}/delete", data={})
    assert response.status_code == 400
    assert "Formulaire expiré" in page_of(response)
    with app.app_context():
        assert db.session.get(ProcedureAct, act_id).replaced_at is None


@pytest.mark.parametrize("role,missions", [("manager", ()), ("admin", ()), ("jurist", ("info_logement",))])
def test_others_may_not_delete_an_act(app, make_user, make_consultation, followed, role, missions):
    household_id, act_id = followed
    with app.app_context():  # an information consultation too: the info jurist may read the household
        household = db.session.get(Household, household_id)
        db.session.expunge(household)
    make_consultation(household=household, mission="info_logement")
    other = logged_in_client(app, make_user(role, missions=missions or ("info_logement",)))
    url = f"/households/{household_id}/acts/{act_id}/delete"
    assert other.get(url).status_code == 403
    assert other.post(url, data={"csrf_token": csrf_token(other, "/")}).status_code == 403
    page = other.get(f"/households/{household_id}")
    assert not delete_links(page_of(page))
    with app.app_context():
        assert db.session.get(ProcedureAct, act_id).replaced_at is None
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "procedure_act.delete")
            )
            == 0
        )


def test_the_manager_reads_the_case_without_a_delete_button(app, make_user, followed):
    household_id, _ = followed
    manager = logged_in_client(app, make_user("manager"))
    page = page_of(manager.get(f"/households/{household_id}"))
    assert acts_table(page)  # the case is shown...
    assert not delete_links(page) and "Erreur de saisie" not in page  # ...read only


def test_an_act_of_another_household_or_already_deleted(app, client, make_household, followed):
    household_id, act_id = followed
    other = make_household(name="Autre ménage")
    assert client.get(f"/households/{other.id}/acts/{act_id}/delete").status_code in (403, 404)
    assert client.get(f"/households/{household_id}/acts/999999/delete").status_code == 404
    assert client.get(f"/households/999999/acts/{act_id}/delete").status_code == 404
    url = f"/households/{household_id}/acts/{act_id}/delete"
    token = csrf_token(client, url)
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    again = client.post(url, data={"csrf_token": token})  # a second click, or another tab
    assert again.status_code == 302
    page = page_of(client.get(f"/households/{household_id}"))
    assert "n'est plus dans le dossier : il a déjà été supprimé ou corrigé." in page
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "procedure_act.delete")
            )
            == 1
        )


def test_the_stage_may_be_dated_again_after_a_deletion(app, client, followed):
    """The right date typed in a follow-up consultation becomes the current act."""
    household_id, act_id = followed
    url = f"/households/{household_id}/acts/{act_id}/delete"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    follow_up(client, household_id, act_commandement_payer="2026-10-13")
    page = page_of(client.get(f"/households/{household_id}"))
    assert acts_table(page)["Commandement de payer visant la clause résolutoire"] == "13/10/2026"
    assert "clause_resolutoire" in notice_keys(page)
    with app.app_context():
        every = db.session.scalars(
            select(ProcedureAct).where(ProcedureAct.stage == "commandement_payer").order_by(ProcedureAct.id)
        ).all()
        assert [(a.occurred_on, a.deleted_at is not None, a.replaced_at is None) for a in every] == [
            (date(2026, 10, 3), True, False),
            (date(2026, 10, 13), False, True),
        ]


def test_a_deleted_act_leaves_the_jurists_coming_deadlines(app, client, jurist, followed):
    """The home's worklist (deadlines of the next 15 days) is computed from the current acts too."""
    household_id, _ = followed
    follow_up(client, household_id, act_requisition_cfp="2026-09-30")
    with app.app_context():
        user = db.session.get(User, jurist.id)
        due = [(household.id, key, day) for household, key, day in coming_deadlines(user, date(2026, 11, 25))]
        assert due == [(household_id, "refus_implicite_cfp", date(2026, 11, 30))]
        act_id = db.session.scalar(select(ProcedureAct.id).where(ProcedureAct.stage == "requisition_cfp"))
    url = f"/households/{household_id}/acts/{act_id}/delete"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    with app.app_context():  # the next deadline is now the commandement de payer's (two months: a 2019 lease)
        due = coming_deadlines(db.session.get(User, jurist.id), date(2026, 11, 25))
        assert [(household.id, key, day) for household, key, day in due] == [
            (household_id, "clause_resolutoire", date(2026, 12, 3))
        ]
