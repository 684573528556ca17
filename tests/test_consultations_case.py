"""The household's case in the consultation form (lease, rent, landlord, aid, acts with their dates) and on
the household page (acts, computed dates with their articles, next step, debt chart); follow-ups
prefilled; referrals that fit."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from test_consultations import form_data
from test_consultations_robustness import logged_in_client

from hotline.cases import referrals
from hotline.cases.models import Case, ProcedureAct
from hotline.cases.services import act_dates, case_of
from hotline.consultations.models import Consultation, Household
from hotline.core.audit import AuditEvent
from hotline.extensions import db

SVG = "{http://www.w3.org/2000/svg}"
CASE = {
    "lease_signed_on": "2019-09-01",
    "landlord_type": "personne_physique",
    "rent_amount": "540,00",
    "housing_benefit": "versee_bailleur",
    "act_commandement_payer": "2026-06-03",
    "act_assignation": "2026-09-14",
}


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_form_records_the_case_and_the_page_shows_it(app, client, jurist, login):
    app.config["FIXED_NOW"] = "2026-11-25T10:00"
    login(jurist)
    response = client.post("/consultations/new", data=form_data(client, **CASE))
    assert response.status_code == 302, page_of(response)[:1000]
    with app.app_context():
        consultation = db.session.scalar(select(Consultation))
        case = case_of(consultation.household)
        assert act_dates(case) == {"commandement_payer": date(2026, 6, 3), "assignation": date(2026, 9, 14)}
        assert (case.lease_signed_on, case.landlord_type, case.rent_amount, case.housing_benefit) == (
            date(2019, 9, 1),
            "personne_physique",
            Decimal("540.00"),
            "versee_bailleur",
        )
        household_id = consultation.household_id
    page = page_of(client.get(f"/households/{household_id}"))
    acts = page.split('id="acts"')[1].split("</table>")[0]
    assert acts.index("Commandement de payer") < acts.index("Assignation devant le juge")
    assert "03/06/2026" in acts and "14/09/2026" in acts and "la consultation du 20/11/2026" in acts
    notice = page.split('id="notice-clause_resolutoire"')[1].split("</div>")[0]
    assert "a expiré le 03/08/2026" in notice  # lease of 2019: two months
    assert "Art. 24 I de la loi n° 89-462 du 6 juillet 1989" in notice and "Ce que ce calcul ne dit pas" in notice
    assert "notifiée au préfet six semaines" in page.split('id="next-step"')[1].split("</p>")[0]
    assert "540,00" in page and "Bailleur personne physique" in page
    svg = ET.fromstring(re.search(r"<svg\b.*?</svg>", page, re.S).group(0))
    assert svg.get("role") == "img" and svg.find(SVG + "title").text == "Dette du ménage"
    assert "1\u202f234,56\u00a0€ le 20/11/2026" in svg.find(SVG + "desc").text
    assert "1\u202f234,56" in page.split('id="debts"')[1]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("act_commandement_payer", "2026-11-21", "ne peut pas être postérieure à celle de la consultation"),
        ("lease_signed_on", "2026-11-24", "et la date de la consultation"),
        ("rent_amount", "-5", "négatif"),
        ("landlord_type", "chateau", "choix"),
        ("act_assignation", "0024-09-14", "Date trop ancienne"),
        ("act_commandement_payer", "3 juin", "date"),
    ],
)
def test_a_wrong_case_value_is_refused_beside_its_field(app, client, jurist, login, field, value, message):
    app.config["FIXED_NOW"] = "2026-11-25T10:00"
    login(jurist)
    response = client.post("/consultations/new", data=form_data(client, **(CASE | {field: value})))
    assert response.status_code == 200
    page = page_of(response)
    error = re.search(rf'id="{field}-err">([^<]+)<', page)
    assert error, page[:2000]
    assert message in error.group(1), error.group(1)
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert f'href="#{field}"' in summary
    assert 'value="Famille Durand"' in page  # what was typed is kept
    for name, typed in CASE.items():
        if name not in ("landlord_type", "housing_benefit"):
            assert f'value="{value if name == field else typed}"' in page, name
    with app.app_context():
        assert (rows(Consultation), rows(Household), rows(Case), rows(ProcedureAct)) == (0, 0, 0, 0)


def test_an_act_refused_after_a_known_household_keeps_its_audit(app, client, jurist, login, make_household):
    family = make_household(name="Famille Connue", created_by_id=jurist.id)
    login(jurist)
    data = form_data(client, household_id=str(family.id), act_appel="2026-11-30")
    page = page_of(client.post("/consultations/new", data=data))
    assert "a date ne peut pas être postérieure" in page.split('id="act_appel-err"')[1]
    with app.app_context():
        assert (rows(Consultation), rows(Case)) == (0, 0)
        assert db.session.get(Household, family.id).name == "Famille Connue"
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "household.read", AuditEvent.object_id == str(family.id))
            )
            >= 1
        )


def test_the_edit_form_shows_and_corrects_what_the_consultation_stated(app, client, jurist, login):
    login(jurist)
    assert client.post("/consultations/new", data=form_data(client, **CASE)).status_code == 302
    with app.app_context():
        consultation_id = db.session.scalar(select(Consultation.id))
    url = f"/consultations/{consultation_id}/edit"
    page = page_of(client.get(url))
    assert re.search(r'id="act_assignation"[^>]*value="2026-09-14"', page)
    assert re.search(r'id="rent_amount"[^>]*value="540,00"', page)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(
        url,
        data=form_data(
            client,
            url=url,
            version=version,
            commune="62498",
            **(CASE | {"act_assignation": "2026-09-15", "rent_amount": ""}),
        ),
    )
    assert response.status_code == 302, page_of(response)[:1000]
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert act_dates(case)["assignation"] == date(2026, 9, 15)
        assert case.rent_amount is None  # cleared by the edit
        assert rows(ProcedureAct) == 3  # the corrected date stays in the history
    household = page_of(client.get(f"/households/{case.household_id}"))
    assert "Dates corrigées depuis (1)" in household and "14/09/2026" in household.split('id="corrected-acts"')[1]


@pytest.fixture
def followed(app, client, jurist, login):
    """A household with an eviction consultation stating its case, recorded through the form."""
    login(jurist)
    client.post("/consultations/new", data=form_data(client, housing_sector="social", **CASE))
    with app.app_context():
        return db.session.scalar(select(Household))


def selected(page: str, name: str) -> str | None:
    select_ = re.search(rf'<select[^>]*id="{name}".*?</select>', page, re.S).group(0)
    found = re.search(r'<option selected value="([^"]*)"', select_)
    return found.group(1) if found else None


def value_of(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*id="{name}"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', found)
    return value.group(1) if value else None


def test_a_follow_up_starts_from_the_last_consultation(client, followed):
    page = page_of(client.get(f"/consultations/new?household={followed.id}"))
    assert value_of(page, "commune").startswith("Lens")
    assert selected(page, "mission") == "prevention_expulsion"
    assert (selected(page, "housing_sector"), selected(page, "family_situation"), selected(page, "age_band")) == (
        "social",
        "famille_monoparentale",
        "25_39",
    )
    assert re.search(r'value="prestations_familiales"[^>]*checked|checked[^>]*value="prestations_familiales"', page)
    assert selected(page, "procedure_stage") == "commandement_payer"
    assert value_of(page, "lease_signed_on") == "2019-09-01" and value_of(page, "rent_amount") == "540,00"
    assert selected(page, "landlord_type") == "personne_physique"
    assert value_of(page, "act_assignation") == "2026-09-14"
    assert value_of(page, "debt_amount") in (None, "")  # the debt of the day is asked again


def test_an_info_jurist_gets_nothing_of_the_eviction_prefilled(app, make_user, followed, make_consultation):
    make_consultation(
        household=followed,
        mission="info_logement",
        date=date(2026, 11, 21),
        commune_insee="62119",
        territory_code="artois",
    )
    client = logged_in_client(app, make_user("jurist", missions=("info_logement",)))
    page = page_of(client.get(f"/consultations/new?household={followed.id}"))
    assert value_of(page, "commune").startswith("Béthune")  # its own mission's last consultation
    assert selected(page, "mission") == "info_logement"
    assert selected(page, "procedure_stage") in (None, "")
    for name in (
        "lease_signed_on",
        "rent_amount",
        "act_assignation",
        "act_commandement_payer",
        "landlord_type",
        "decision_kind",
        "act_fsl_demande",
    ):
        assert f'id="{name}"' not in page, name  # the case block is not even shown (issue 15, access)
    household = page_of(client.get(f"/households/{followed.id}"))
    assert 'id="case-title"' not in household and "14/09/2026" not in household


@pytest.mark.parametrize(
    "outcome,commune,sector,stage,hinted",
    [
        ("equipe_mobile", "Lens", "prive", "impaye", False),
        ("equipe_mobile", "Calais", "prive", "impaye", True),
        ("equipe_mobile", "Lens", "social", "impaye", True),
        ("protocole_cohesion_sociale", "Lens", "social", "commandement_quitter", False),
        ("protocole_cohesion_sociale", "Lens", "social", "assignation", True),
        ("protocole_cohesion_sociale", "Lens", "prive", "jugement_resiliation", True),
    ],
)
def test_a_referral_that_does_not_fit_is_saved_with_a_hint(
    app, client, jurist, login, outcome, commune, sector, stage, hinted
):
    login(jurist)
    data = form_data(client, outcomes=[outcome], commune=commune, housing_sector=sector, procedure_stage=stage)
    response = client.post("/consultations/new", data=data, follow_redirects=True)
    page = page_of(response)
    assert "Consultation enregistrée." in page
    assert ("à vérifier" in page) == hinted
    with app.app_context():
        assert db.session.scalar(select(Consultation)).codes_of("outcome") == [outcome]


def test_the_referral_rules():
    assert referrals.hints(["equipe_mobile"], "boulonnais", "prive", []) == []
    assert referrals.hints(["equipe_mobile"], "arrageois", "prive", []) == [
        "Orientation vers l'équipe mobile de prévention des expulsions : à vérifier, les équipes mobiles "
        "interviennent en Lens-Hénin, Artois, Boulonnais, Audomarois et Montreuillois."
    ]
    assert referrals.hints(["protocole_cohesion_sociale"], "arrageois", "social", ["", "jugement_resiliation"]) == []
    assert referrals.hints(["protocole_cohesion_sociale"], "arrageois", "social", ["jugement_delais"]) != []
    assert referrals.hints(["saisine_fsl"], None, None, []) == []
    for territory in referrals.MOBILE_TEAM_TERRITORIES:
        assert referrals.hints(["equipe_mobile"], territory, "prive", []) == []


def test_the_form_shows_the_hint_again_after_an_error(client, jurist, login):
    login(jurist)
    data = form_data(client, outcomes=["equipe_mobile"], commune="Calais", debt_amount="-1")
    page = page_of(client.post("/consultations/new", data=data))
    assert "à vérifier, les équipes mobiles interviennent" in page
