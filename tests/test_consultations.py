"""Recording, listing, editing consultations; households, their timeline, access and audit."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import csrf_token
from html_forms import version_of
from sqlalchemy import select

from hotline.cases.models import Case
from hotline.cases.services import act_dates
from hotline.consultations.models import Consultation, ConsultationRevision, Household
from hotline.core.audit import AuditEvent
from hotline.extensions import db


def form_data(client, url="/consultations/new", **overrides):
    data = {
        "csrf_token": csrf_token(client, url),
        "date": "2026-11-20",
        "time": "10:15",
        "duration_minutes": "25",
        "mission": "prevention_expulsion",
        "mode": "telephone",
        "consultant_type": "particulier",
        "commune": "Lens",
        "territory": "",
        "occupancy_status": "locataire",
        "housing_sector": "prive",
        "family_situation": "famille_monoparentale",
        "age_band": "25_39",
        "resource_band": "800_1200",
        "referral_source": "numero_vert",
        "resource_types": ["salaire", "prestations_familiales"],
        "themes": ["impayes_expulsion/impaye_locataire"],
        "outcomes": ["saisine_fsl", "information_delivree"],
        "procedure_stage": "commandement_payer",
        "debt_amount": "1 234,56",
        "debt_origins": ["perte_emploi"],
        "household_name": "Famille Durand",
        "household_phone": "06 11 22 33 44",
        "household_adults": "1",
        "household_children": "2",
        "notes": "Rappeler après la commission FSL.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_jurist_records_an_eviction_consultation(client, jurist, login, app):
    login(jurist)
    response = client.post("/consultations/new", data=form_data(client))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        c = db.session.scalar(select(Consultation))
        assert (c.mission, c.commune_insee, c.territory_code, c.procedure_stage) == (
            "prevention_expulsion",
            "62498",
            "lens-henin",
            "commandement_payer",
        )
        assert c.debt_amount == Decimal("1234.56")
        assert c.jurist_id == jurist.id
        assert sorted(c.codes_of("outcome")) == ["information_delivree", "saisine_fsl"]
        assert c.codes_of("theme") == ["impayes_expulsion"]
        assert c.codes_of("subtheme") == ["impayes_expulsion/impaye_locataire"]
        assert c.household.name == "Famille Durand" and c.household.phone == "+33611223344"
        assert (c.household.adults, c.household.children) == (1, 2)
        household_id, consultation_id = c.household_id, c.id
    listing = client.get("/consultations/").get_data(as_text=True)
    assert f"/consultations/{consultation_id}" in listing and "Famille Durand" in listing
    timeline = client.get(f"/households/{household_id}").get_data(as_text=True)
    assert "Commandement de payer" in timeline and "1\u202f234,56" in timeline


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("debt_amount", "-12", "négatif"),
        ("date", (date.today() + timedelta(days=3)).isoformat(), "futur"),
        ("commune", "Atlantis", "Commune inconnue"),
        ("mission", "", "Choisissez la mission"),
        ("household_phone", "12", "téléphone"),
        ("household_adults", "deux", "entier"),  # WTForms' own message, in French too
        ("date", "31/02/2026", "date"),
    ],
)
def test_invalid_field_gets_a_french_message_and_the_rest_is_kept(client, jurist, login, app, field, value, message):
    login(jurist)
    data = form_data(client, **{field: value})
    response = client.post("/consultations/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-err">([^<]+)<', page)
    assert error and message.lower() in error.group(1).lower(), page[:300]
    assert 'value="Famille Durand"' in page
    assert "Rappeler après la commission FSL." in page
    assert re.search(r'value="saisine_fsl"[^>]*checked|checked[^>]*value="saisine_fsl"', page)
    if field != "debt_amount":
        assert 'value="1 234,56"' in page
    with app.app_context():
        assert db.session.scalar(select(Consultation)) is None


def test_commune_by_name_and_postal_code(client, jurist, login, app):
    login(jurist)
    page = client.get("/consultations/new").get_data(as_text=True)
    assert '<option value="Boulogne-sur-Mer (62200)">62160</option>' in page  # typing 622 suggests it
    assert (
        client.post("/consultations/new", data=form_data(client, commune="Boulogne-sur-Mer (62200)")).status_code == 302
    )
    with app.app_context():
        assert db.session.scalar(select(Consultation.commune_insee)) == "62160"


def test_info_mission_drops_eviction_fields(client, jurist, login, app):
    login(jurist)
    client.post(
        "/consultations/new",
        data=form_data(
            client,
            mission="info_logement",
            themes=["rapports_locatifs"],
            act_commandement_payer="2026-10-01",
            rent_amount="500",
        ),
    )
    with app.app_context():
        c = db.session.scalar(select(Consultation))
        assert c.procedure_stage is None and c.debt_amount is None and c.codes_of("debt_origin") == []
        assert db.session.scalar(select(Case)) is None  # the case block is ignored too, as the form says


def test_unpaid_rent_on_the_info_line_keeps_its_stage_debt_and_acts(client, jurist, login, app):
    login(jurist)
    response = client.post(
        "/consultations/new",
        data=form_data(client, mission="info_logement", act_commandement_payer="2026-10-01", rent_amount="512,30"),
    )
    assert response.status_code == 302
    with app.app_context():
        c = db.session.scalar(select(Consultation))
        assert (c.procedure_stage, c.debt_amount, c.codes_of("debt_origin")) == (
            "commandement_payer",
            Decimal("1234.56"),
            ["perte_emploi"],
        )
        case = db.session.scalar(select(Case))
        assert case.rent_amount == Decimal("512.30") and act_dates(case) == {"commandement_payer": date(2026, 10, 1)}


def test_unknown_debt_is_allowed(client, jurist, login, app):
    login(jurist)
    assert client.post("/consultations/new", data=form_data(client, debt_amount="")).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Consultation.debt_amount)) is None


def test_territory_without_commune_and_mismatch(client, jurist, login, app):
    login(jurist)
    ok = client.post("/consultations/new", data=form_data(client, commune="", territory="calaisis"))
    assert ok.status_code == 302
    bad = client.post("/consultations/new", data=form_data(client, commune="Lens", territory="calaisis"))
    assert "ne correspond pas" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Consultation.territory_code)) == "calaisis"


def test_consultation_for_a_known_household_shows_its_history(
    client, jurist, login, make_consultation, make_household, app
):
    household = make_household(name="Famille Martin", phone="+33699887766", commune_insee="62498")
    make_consultation(
        household=household,
        mission="prevention_expulsion",
        procedure_stage="impaye",
        date=date(2026, 1, 5),
        debt_amount=Decimal("800"),
    )
    make_consultation(
        household=household,
        mission="prevention_expulsion",
        procedure_stage="assignation",
        date=date(2026, 4, 5),
        debt_amount=Decimal("2100"),
    )
    login(jurist)
    found = client.post(
        "/consultations/new",
        data={"find": "1", "q": "06 99 88 77 66", "csrf_token": csrf_token(client, "/consultations/new")},
    )
    assert "Famille Martin" in found.get_data(as_text=True)
    assert client.post("/consultations/new", data={"find": "1", "q": "Martin"}).status_code == 400  # CSRF
    page = client.get(f"/consultations/new?household={household.id}").get_data(as_text=True)
    aside = page.split('id="history-title"')[1]
    assert aside.index("Impayé constitué") < aside.index("Assignation devant le juge")
    response = client.post(
        "/consultations/new",
        data=form_data(
            client,
            url=f"/consultations/new?household={household.id}",
            household_id=str(household.id),
            procedure_stage="jugement",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        h = db.session.get(Household, household.id)
        assert [c.procedure_stage for c in h.consultations] == ["impaye", "assignation", "jugement"]
        assert db.session.scalar(select(Household).where(Household.name == "Famille Durand")) is None


def test_list_filters_and_pagination(client, jurist, login, make_consultation, app):
    for day in range(30):
        make_consultation(
            date=date(2026, 2, 1) + timedelta(days=day), territory_code="boulonnais", commune_insee="62160"
        )
    make_consultation(mission="prevention_expulsion", procedure_stage="jugement", date=date(2026, 5, 1))
    login(jurist)
    first = client.get("/consultations/").get_data(as_text=True)
    assert "Page 1 sur 2 (31 résultats)" in first
    second = client.get("/consultations/?page=2").get_data(as_text=True)
    assert "Page 2 sur 2" in second
    only = client.get("/consultations/?stage=jugement").get_data(as_text=True)
    assert "1 résultat" in only and "Jugement" in only
    dated = client.get("/consultations/?date_from=2026-02-10&date_to=2026-02-14&territory=boulonnais")
    assert "5 résultats" in dated.get_data(as_text=True)
    assert "0 résultat" in client.get(f"/consultations/?jurist={jurist.id}").get_data(as_text=True)


def test_editing_keeps_history_and_detects_conflicts(client, jurist, login, make_consultation, app):
    c = make_consultation(mission="prevention_expulsion", procedure_stage="impaye", debt_amount=Decimal("100"))
    login(jurist)
    url = f"/consultations/{c.id}/edit"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = form_data(
        client, url=url, version=version, commune="62498", procedure_stage="assignation", debt_amount="150,00"
    )
    assert client.post(url, data=data).status_code == 302
    stale = client.post(url, data=form_data(client, url=url, version=version, debt_amount="999"))
    assert "modifiée par quelqu'un d'autre" in html.unescape(stale.get_data(as_text=True))
    with app.app_context():
        c2 = db.session.get(Consultation, c.id)
        assert c2.debt_amount == Decimal("150.00") and c2.procedure_stage == "assignation"
        revision = db.session.scalar(select(ConsultationRevision))
        assert revision.changed_by_id == jurist.id
        assert revision.changes["procedure_stage"] == ["impaye", "assignation"]
        assert revision.changes["debt_amount"] == ["100.00", "150.00"]
    shown = client.get(f"/consultations/{c.id}").get_data(as_text=True)
    assert "Julie Juriste" in shown


def history_rows(page: str) -> dict[str, tuple[str, str]]:
    """The edit history table: {field label: (before, after)}."""
    table = page.split('id="history"')[1].split("</table>")[0]
    rows = [
        [html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    return {cells[2]: (cells[3], cells[4]) for cells in rows if cells}


def test_the_edit_history_speaks_french(client, jurist, login, make_consultation):
    c = make_consultation(
        mission="prevention_expulsion",
        procedure_stage="impaye",
        debt_amount=Decimal("1234.56"),
        outcomes=["saisine_fsl"],
    )
    login(jurist)
    url = f"/consultations/{c.id}/edit"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = form_data(
        client,
        url=url,
        version=version,
        commune="62498",
        procedure_stage="assignation",
        debt_amount="1500",
        mode="courrier",
        date="2026-03-03",
        housing_sector="social",
        outcomes=["saisine_fsl", "orientation_ccas"],
    )
    assert client.post(url, data=data).status_code == 302
    rows = history_rows(client.get(f"/consultations/{c.id}").get_data(as_text=True))
    assert rows["Stade de la procédure"] == ("Impayé constitué (dette locative)", "Assignation devant le juge")
    assert rows["Dette"] == ("1\u202f234,56\u00a0€", "1\u202f500,00\u00a0€")
    assert rows["Mode de consultation"] == ("Téléphone", "Courrier")
    assert rows["Date"] == ("02/03/2026", "03/03/2026")
    assert rows["Parc"] == ("Non renseigné", "Parc social")
    assert rows["Suites données"] == ("Orientation vers le FSL", "Orientation vers le CCAS ; Orientation vers le FSL")


def test_jurist_sees_only_their_missions(client, make_user, login, make_consultation):
    info_only = make_user("jurist", missions=("info_logement",))
    c = make_consultation(mission="prevention_expulsion")
    login(info_only)
    assert client.get(f"/consultations/{c.id}").status_code == 403
    assert client.get(f"/consultations/{c.id}/edit").status_code == 403
    assert "0 résultat" in client.get("/consultations/").get_data(as_text=True)
    refused = client.post("/consultations/new", data=form_data(client))
    assert "pas rattaché" in refused.get_data(as_text=True)


def test_manager_reads_but_does_not_edit(client, make_user, login, make_consultation):
    c = make_consultation()
    login(make_user("manager"))
    assert client.get(f"/consultations/{c.id}").status_code == 200
    assert client.get(f"/consultations/{c.id}/edit").status_code == 403
    assert client.get("/consultations/new").status_code == 403


def test_every_household_read_is_audited(client, jurist, login, make_consultation, make_household, app):
    household = make_household(name="Famille Audit")
    c = make_consultation(household=household)
    login(jurist)
    assert client.get(f"/households/{household.id}").status_code == 200
    assert client.get(f"/consultations/{c.id}").status_code == 200
    with app.app_context():
        events = [
            (e.user_id, e.action, e.object_id)
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "household.read").order_by(AuditEvent.id)
            )
        ]
        assert events == [(jurist.id, "household.read", str(household.id))] * 2


def test_household_of_another_mission_is_refused(client, make_user, login, make_consultation, make_household, app):
    household = make_household(name="Famille Secrète")
    make_consultation(household=household, mission="prevention_expulsion")
    login(make_user("jurist", missions=("info_logement",)))
    assert client.get(f"/households/{household.id}").status_code == 403
    token = csrf_token(client, "/households/")
    assert "Famille Secrète" not in client.post("/households/", data={"q": "Secr", "csrf_token": token}).get_data(
        as_text=True
    )


def test_jurist_corrects_a_household(client, jurist, login, make_consultation, make_household, app):
    household = make_household(name="Famille Erreur", phone="+33611111111")
    make_consultation(household=household)
    login(jurist)
    url = f"/households/{household.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Famille Erreur"' in page
    bad = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": "Famille Juste",
            "phone": "12",
            "version": version_of(client, url),
        },
    )
    assert 'id="phone-err"' in bad.get_data(as_text=True) and 'value="Famille Juste"' in bad.get_data(as_text=True)
    good = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": "Famille Juste",
            "phone": "06 22 22 22 22",
            "commune": "Arras",
            "adults": "2",
            "children": "1",
            "version": version_of(client, url),
        },
    )
    assert good.status_code == 302
    with app.app_context():
        h = db.session.get(Household, household.id)
        assert (h.name, h.phone, h.commune.name, h.adults, h.children) == (
            "Famille Juste",
            "+33622222222",
            "Arras",
            2,
            1,
        )
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "household.update"))
