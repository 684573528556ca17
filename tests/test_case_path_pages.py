"""The case as a path through the pages (issue 15): several acts of one code, corrections traced in the
consultation's history and the audit log with their author, the case block read and written only by
those who may read the eviction mission (no blind write, no hint that tells of the case), the
household page branch by branch, and the fiche de situation."""

import html
import re
from datetime import date

from conftest import csrf_token
from sqlalchemy import select
from test_consultations import form_data
from test_consultations_robustness import logged_in_client

from hotline.cases.models import Case, ProcedureAct
from hotline.cases.services import act_dates, acts_of, case_of, record_acts
from hotline.consultations.models import Consultation, Household
from hotline.core.audit import AuditEvent
from hotline.extensions import db

CASE = {
    "lease_signed_on": "2019-09-01",
    "landlord_type": "bailleur_social",
    "rent_amount": "540,00",
    "housing_benefit": "versee_bailleur",
    "act_commandement_payer": "2026-06-03",
    "act_jugement_resiliation": "2026-10-05",
}


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def eviction_household(app, client, jurist, login, **case) -> Household:
    login(jurist)
    response = client.post("/consultations/new", data=form_data(client, housing_sector="social", **(case or CASE)))
    assert response.status_code == 302, page_of(response)[:800]
    with app.app_context():
        return db.session.scalar(select(Household))


def case_state(app, household_id: int) -> tuple:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.household_id == household_id))
        return act_dates(case), case.rent_amount, case.lease_signed_on, len(acts_of(case))


def test_an_information_jurist_cannot_write_a_case_blindly(app, client, jurist, login, make_user, make_consultation):
    """A POST crafted with the case's fields by a jurist who may not read the eviction mission changes nothing."""
    household = eviction_household(app, client, jurist, login)
    make_consultation(household=household, mission="info_logement", date=date(2026, 11, 21))  # theirs to read
    before = case_state(app, household.id)
    info = logged_in_client(app, make_user("jurist", missions=("info_logement",)))
    url = f"/consultations/new?household={household.id}"
    data = form_data(
        info,
        url=url,
        mission="info_logement",
        household_id=str(household.id),
        themes=["impayes_expulsion/impaye_locataire"],
        procedure_stage=None,
        debt_amount=None,
        debt_origins=None,
        rent_amount="9 999,00",
        lease_signed_on="2025-01-01",
        act_commandement_payer="2026-07-01",
        act_expulsion_effective="2026-11-02",
        act_commandement_payer_as="nouveau",
    )
    response = info.post(url, data=data)
    assert response.status_code == 302, page_of(response)[:800]
    assert case_state(app, household.id) == before


def test_the_referral_hint_tells_an_information_jurist_nothing_of_the_case(
    app, client, jurist, login, make_user, make_consultation
):
    """The lease's termination (a judgment in the case) must not change the hint an info jurist sees."""
    household = eviction_household(app, client, jurist, login)
    make_consultation(household=household, mission="info_logement", date=date(2026, 11, 21))
    info = logged_in_client(app, make_user("jurist", missions=("info_logement",)))
    url = f"/consultations/new?household={household.id}"
    data = form_data(
        info,
        url=url,
        mission="info_logement",
        household_id=str(household.id),
        housing_sector="social",
        themes=["impayes_expulsion/impaye_locataire"],
        outcomes=["protocole_cohesion_sociale"],
        procedure_stage=None,
        debt_amount=None,
        debt_origins=None,
    )
    page = page_of(info.post(url, data=data, follow_redirects=True))
    assert "Consultation enregistrée." in page
    # the same hint as for a household without any act: the case's judgment is not read for this reader
    assert "il suit la résiliation du bail" in page


def test_a_second_act_of_a_code_through_the_form_and_its_history(app, client, jurist, login):
    household = eviction_household(app, client, jurist, login)
    page = page_of(client.get(f"/consultations/new?household={household.id}"))
    known = re.search(r'name="act_commandement_payer_known" type="hidden" value="(\d+)"', page).group(1)
    assert 'id="act_commandement_payer_as"' in page  # "corriger la date" or "nouvel acte"
    data = form_data(
        client,
        url=f"/consultations/new?household={household.id}",
        date="2026-11-24",
        household_id=str(household.id),
        **(
            CASE
            | {
                "act_commandement_payer": "2026-11-02",
                "act_commandement_payer_known": known,
                "act_commandement_payer_as": "nouveau",
            }
        ),
    )
    assert client.post(f"/consultations/new?household={household.id}", data=data).status_code == 302
    with app.app_context():
        case = case_of(db.session.get(Household, household.id))
        assert sorted(a.occurred_on for a in acts_of(case) if a.stage == "commandement_payer") == [
            date(2026, 6, 3),
            date(2026, 11, 2),
        ]
        consultation_id = db.session.scalar(select(Consultation.id).order_by(Consultation.id.desc()))
    shown = page_of(client.get(f"/consultations/{consultation_id}"))
    history = shown.split('id="history"')[1].split("</table>")[0]
    assert "Acte ou événement : Commandement de payer visant la clause résolutoire" in history
    assert "02/11/2026" in history and "Julie Juriste" in history
    facts = shown.split('id="case-facts"')[1].split("</section>")[0]
    assert "02/11/2026" in facts


def test_a_corrected_act_is_in_the_history_and_the_audit_log_with_its_author(app, client, jurist, login):
    eviction_household(app, client, jurist, login)
    with app.app_context():
        consultation_id = db.session.scalar(select(Consultation.id))
    url = f"/consultations/{consultation_id}/edit"
    page = page_of(client.get(url))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    known = re.search(r'name="act_jugement_resiliation_known" type="hidden" value="(\d+)"', page).group(1)
    data = form_data(
        client,
        url=url,
        version=version,
        housing_sector="social",
        **(
            CASE
            | {
                "act_jugement_resiliation": "2026-10-06",
                "act_jugement_resiliation_known": known,
                "decision_kind": "refere",
            }
        ),
    )
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        corrected = db.session.scalar(
            select(ProcedureAct).where(ProcedureAct.stage == "jugement_resiliation", ProcedureAct.replaced_at.is_(None))
        )
        assert (corrected.occurred_on, corrected.decision_kind, corrected.replaces_id, corrected.recorded_by_id) == (
            date(2026, 10, 6),
            "refere",
            int(known),
            jurist.id,
        )
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "procedure_act.correct")).all()
        assert [(e.user_id, e.object_id) for e in events] == [(jurist.id, str(corrected.id))]
    history = page_of(client.get(f"/consultations/{consultation_id}")).split('id="history"')[1]
    row = re.search(
        r"<tr><td>[^<]*</td><td>Julie Juriste</td><td>Acte ou événement : Jugement : résiliation[^<]*"
        r"</td><td>05/10/2026</td><td>06/10/2026</td></tr>",
        history,
    )
    assert row, history[:1500]


def test_the_consultation_page_hides_the_case_from_an_information_jurist(app, make_user):
    both = make_user("jurist", missions=("info_logement", "prevention_expulsion"))
    client = logged_in_client(app, both)
    data = form_data(
        client,
        mission="info_logement",
        themes=["impayes_expulsion/impaye_locataire"],
        procedure_stage=None,
        debt_amount=None,
        debt_origins=None,
        **CASE,
    )
    assert client.post("/consultations/new", data=data).status_code == 302
    with app.app_context():
        consultation_id = db.session.scalar(select(Consultation.id))
    assert 'id="case-facts"' in page_of(client.get(f"/consultations/{consultation_id}"))
    info = logged_in_client(app, make_user("jurist", missions=("info_logement",)))
    page = page_of(info.get(f"/consultations/{consultation_id}"))
    assert 'id="case-facts"' not in page and "Acte ou événement" not in page and "Bail signé" not in page
    assert "01/09/2019" not in page and "540,00" not in page


def branch_page(app, client, jurist, login, acts: dict, today: str) -> str:
    household = eviction_household(app, client, jurist, login, **{"act_commandement_payer": "2024-06-03"})
    with app.app_context():
        h = db.session.get(Household, household.id)
        consultation = db.session.scalar(select(Consultation))
        record_acts(h, consultation, acts)
        db.session.commit()
    app.config["FIXED_NOW"] = today
    return page_of(client.get(f"/households/{household.id}"))


def notice_keys(page: str) -> set[str]:
    return set(re.findall(r'class="notice" role="note" id="notice-([a-z_]+)"', page))


def test_a_rejected_claim_reads_no_eviction_and_no_truce(app, client, jurist, login):
    page = branch_page(
        app,
        client,
        jurist,
        login,
        {"jugement_rejet": date(2024, 10, 7), "signification_jugement": date(2024, 10, 21)},
        "2024-12-02T10:00",
    )
    keys = notice_keys(page)
    assert "demande_rejetee" in keys and "appel" in keys
    assert not keys & {"treve_hivernale", "expulsion_au_plus_tot", "pas_de_commandement_quitter"}
    assert "La demande du bailleur a été rejetée" in page.split('id="case-branch"')[1]
    assert "commandement de quitter les lieux peut être délivré" not in page.split('id="next-step"')[1]


def test_payment_delays_read_the_suspension_and_no_truce(app, client, jurist, login):
    page = branch_page(app, client, jurist, login, {"jugement_delais": date(2024, 10, 7)}, "2024-12-02T10:00")
    keys = notice_keys(page)
    assert "delais_de_paiement" in keys and not keys & {"treve_hivernale", "expulsion_au_plus_tot"}
    assert "réputée n'avoir pas joué" in page and "24 V et VII" in page


def test_a_procedure_over_reads_no_date(app, client, jurist, login):
    page = branch_page(
        app,
        client,
        jurist,
        login,
        {
            "jugement_resiliation": date(2024, 6, 3),
            "commandement_quitter": date(2024, 7, 1),
            "depart_volontaire": date(2024, 9, 2),
        },
        "2024-12-02T10:00",
    )
    keys = notice_keys(page)
    assert keys == {"procedure_terminee"}
    assert "La procédure est terminée" in page.split('id="case-branch"')[1]


def test_the_fiche_prints_the_situation_for_readers_only(app, client, jurist, login, make_user):
    page = branch_page(
        app,
        client,
        jurist,
        login,
        {"jugement_resiliation": date(2024, 9, 2), "commandement_quitter": date(2024, 10, 7)},
        "2024-10-15T10:00",
    )
    household_id = int(re.search(r'href="/households/(\d+)/fiche"', page).group(1))
    fiche = page_of(client.get(f"/households/{household_id}/fiche"))
    assert "Fiche de situation" in fiche and "01/04/2025" in fiche  # the truce moves the two months' end
    coming = fiche.split('id="fiche-coming"')[1].split("</section>")[0]
    assert "Pas d'expulsion avant ce jour" in coming and "juge de l'exécution" in coming
    assert "FSL" in fiche and "aide juridictionnelle" in fiche and "Trêve hivernale" in fiche
    info = logged_in_client(app, make_user("jurist", missions=("info_logement",)))
    assert info.get(f"/households/{household_id}/fiche").status_code == 403
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent).where(
                    AuditEvent.action == "household.read",
                    AuditEvent.object_id == str(household_id),
                    AuditEvent.user_id == jurist.id,
                )
            )
            is not None
        )


def test_a_form_opened_before_a_correction_cannot_undo_it(app, client, jurist, login, make_user):
    """Two jurists open a follow-up; one corrects the commandement's date; the other's save, which still
    carries the old act, is refused naming the date held now (a lost update otherwise), its typed values kept;
    saved again knowingly, it goes through."""
    household = eviction_household(app, client, jurist, login)
    url = f"/consultations/new?household={household.id}"
    other = logged_in_client(app, make_user("jurist", missions=("prevention_expulsion",), name="Paul Autre"))
    stale = page_of(other.get(url))
    known = re.search(r'name="act_commandement_payer_known" type="hidden" value="(\d+)"', stale).group(1)
    assert stale.count('id="act_commandement_payer_known"') == 1  # rendered once, by hidden_tag()
    fixed = form_data(
        client,
        url=url,
        date="2026-11-24",
        household_id=str(household.id),
        **(CASE | {"act_commandement_payer": "2026-06-04", "act_commandement_payer_known": known}),
    )
    assert client.post(url, data=fixed).status_code == 302
    late = form_data(
        other,
        url=url,
        date="2026-11-25",
        household_id=str(household.id),
        notes="Appel du ménage.",
        **(CASE | {"act_commandement_payer_known": known}),
    )
    refused = page_of(other.post(url, data=late))
    assert "Cette date a été modifiée depuis l'ouverture du formulaire (date notée maintenant : 04/06/2026)" in refused
    assert "Appel du ménage." in refused  # what was typed is kept
    assert case_state(app, household.id)[0]["commandement_payer"] == date(2026, 6, 4)
    now = re.search(r'name="act_commandement_payer_known" type="hidden" value="(\d+)"', refused).group(1)
    assert now != known
    again = form_data(
        other,
        url=url,
        date="2026-11-25",
        household_id=str(household.id),
        notes="Appel du ménage.",
        **(CASE | {"act_commandement_payer": "2026-06-04", "act_commandement_payer_known": now}),
    )
    assert other.post(url, data=again).status_code == 302
    assert case_state(app, household.id)[0]["commandement_payer"] == date(2026, 6, 4)


def test_an_act_mode_outside_the_list_is_refused(app, client, jurist, login):
    household = eviction_household(app, client, jurist, login)
    url = f"/consultations/new?household={household.id}"
    data = form_data(client, url=url, household_id=str(household.id), **(CASE | {"act_commandement_payer_as": "xx"}))
    page = page_of(client.post(url, data=data))
    assert "act_commandement_payer_as-err" in page or "choix valide" in page


def test_a_protocol_signed_after_the_termination_reads_no_eviction(app, client, jurist, login):
    page = branch_page(
        app,
        client,
        jurist,
        login,
        {
            "jugement_resiliation": date(2024, 9, 2),
            "signification_jugement": date(2024, 9, 16),
            "protocole_cohesion_signe": date(2024, 10, 7),
        },
        "2024-12-02T10:00",
    )
    keys = notice_keys(page)
    assert "protocole_cohesion" in keys
    assert not keys & {"treve_hivernale", "expulsion_au_plus_tot", "pas_de_commandement_quitter"}
    assert "Protocole de cohésion sociale signé le 07/10/2024" in page.split('id="case-branch"')[1]
    assert "L442-6-5" in page.split('id="next-step"')[1]


def test_a_rejection_whose_appeal_delay_passed_offers_no_appeal(app, client, jurist, login):
    page = branch_page(
        app,
        client,
        jurist,
        login,
        {"jugement_rejet": date(2024, 6, 3), "signification_jugement": date(2024, 6, 17)},
        "2024-12-02T10:00",
    )
    step = page.split('id="next-step"')[1].split("</p>")[0]
    assert "Le délai d'appel est passé" in step and "peut faire appel" not in step


def test_a_form_opened_before_a_deletion_is_refused_once_then_saves(app, client, jurist, login):
    """The act the form was opened with was deleted since: refused, then shown without it, so that saving again
    records the date as a new act (not refused forever)."""
    household = eviction_household(app, client, jurist, login)
    url = f"/consultations/new?household={household.id}"
    page = page_of(client.get(url))
    known = re.search(r'name="act_commandement_payer_known" type="hidden" value="(\d+)"', page).group(1)
    delete = f"/households/{household.id}/acts/{known}/delete"
    assert client.post(delete, data={"csrf_token": csrf_token(client, delete)}).status_code == 302
    data = form_data(
        client, url=url, household_id=str(household.id), **(CASE | {"act_commandement_payer_known": known})
    )
    refused = page_of(client.post(url, data=data))
    assert "aucune (acte supprimé)" in refused
    assert 'name="act_commandement_payer_known" type="hidden" value=""' in refused
    again = form_data(client, url=url, household_id=str(household.id), **CASE)
    assert client.post(url, data=again).status_code == 302
    assert case_state(app, household.id)[0]["commandement_payer"] == date(2026, 6, 3)
