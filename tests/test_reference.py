"""Reference data: the package's copy, communes -> territories, postal codes, admin moves."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

import hotline
from hotline.extensions import db
from hotline.reference import (
    communes_file,
    label,
    labels,
    taxonomy,
    theme_codes,
)
from hotline.reference.models import Commune, Epci, Territory
from hotline.reference.services import (
    communes_for_postal_code,
    move_commune,
    move_epci,
    resolve_commune,
    territory_for_insee,
)


def test_vocabularies_load():
    assert set(labels("missions")) == {"info_logement", "prevention_expulsion"}
    assert "75_plus" in labels("age_bands") and "25_39" in labels("age_bands")
    assert "impayes_expulsion/impaye_locataire" in theme_codes()
    assert taxonomy()["procedure_stages"]["commandement_payer"].startswith("Commandement de payer")


def test_procedure_stages_in_legal_order():
    """The updated contract (loi 89-462 art. 24 and CPCE as amended by loi 2023-668)."""
    assert list(labels("procedure_stages")) == [
        "prevention_amont",
        "impaye",
        "signalement_caf",
        "conge_bailleur",
        "commandement_payer",
        "signalement_ccapex_commissaire",
        "signalement_ccapex_bailleur",
        "assignation",
        "notification_prefet_assignation",
        "diagnostic_social_financier",
        "audience",
        "jugement",
        "jugement_delais",
        "jugement_resiliation",
        "jugement_rejet",
        "signification_jugement",
        "appel",
        "arret_appel",
        "commandement_quitter",
        "saisine_jex",
        "pv_tentative_expulsion",
        "requisition_cfp",
        "cfp_accorde",
        "cfp_refuse",
        "expulsion_effective",
        "inconnu",
    ]
    # Rows recorded at `jugement` before the judgment's content was asked keep their code and a label.
    assert label("procedure_stages", "jugement") == "Jugement (contenu non précisé)"


def test_the_case_vocabularies():
    assert set(labels("landlord_types")) == {
        "personne_physique",
        "sci_familiale",
        "personne_morale_privee",
        "bailleur_social",
        "inconnu",
    }
    assert set(labels("housing_benefits")) == {"aucune", "versee_bailleur", "versee_locataire", "suspendue", "inconnu"}
    # docs/formats.md names the bands of debt_months.
    formats = (Path(__file__).resolve().parent.parent / "docs" / "formats.md").read_text(encoding="utf-8")
    assert set(labels("debt_months_bands")) == {"jusqu_3_mois", "de_3_a_6_mois", "plus_de_6_mois", "inconnu"}
    assert all(f"`{code}`" in formats for code in labels("debt_months_bands"))


def test_outcomes_say_the_service_informs_and_does_not_negotiate():
    outcomes = labels("outcomes")
    assert outcomes["plan_apurement_amiable"] == "Information et accompagnement vers un plan d'apurement amiable"
    assert outcomes["contact_bailleur"] == "Mise en relation avec le bailleur, à la demande du ménage"
    assert not any("négoci" in text.lower() for text in outcomes.values())


def test_every_postal_code_has_five_digits():
    codes = [pc for row in communes_file() for pc in row.postal_codes]
    assert codes and all(len(pc) == 5 and pc.isdigit() for pc in codes)
    assert next(r for r in communes_file() if r.insee == "62691").postal_codes == ("62120", "62129")


def test_upgrade_loaded_every_commune_and_territory(ctx):
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 887 == len(communes_file())
    codes = set(db.session.scalars(select(Territory.code)))
    assert codes == {
        "arrageois",
        "artois",
        "audomarois",
        "boulonnais",
        "calaisis",
        "lens-henin",
        "montreuillois",
        "ternois",
        "hors_departement",
        "non_renseigne",
    }


def test_territory_follows_from_commune(ctx):
    assert territory_for_insee("62498") == "lens-henin"  # Lens
    assert territory_for_insee("62160") == "boulonnais"  # Boulogne-sur-Mer
    assert territory_for_insee("59350") == "hors_departement"  # Lille
    assert territory_for_insee(None) == "non_renseigne"


def test_postal_code_lists_its_communes(ctx):
    assert [c.name for c in communes_for_postal_code("62200")] == ["Boulogne-sur-Mer"]
    shared = communes_for_postal_code("62179")
    assert len({c.territory_code for c in shared}) == 2
    assert communes_for_postal_code("75001") == []


def test_commune_resolves_from_name_code_or_label(ctx):
    assert resolve_commune("62498").name == "Lens"
    assert resolve_commune("lens").insee == "62498"
    assert resolve_commune("Lens (62300)").insee == "62498"
    assert resolve_commune("Hénin-Beaumont").insee == resolve_commune("henin beaumont").insee
    assert resolve_commune("Atlantis") is None


@pytest.fixture
def restore_mapping(app):
    yield
    with app.app_context():
        by_insee = {row.insee: row for row in communes_file()}
        for commune in db.session.scalars(select(Commune)):
            commune.territory_code = by_insee[commune.insee].territory
        for epci in db.session.scalars(select(Epci)):
            epci.territory_code = next(r.territory for r in communes_file() if r.epci_siren == epci.siren)
        db.session.commit()


def test_moving_an_epci_moves_its_communes(ctx, restore_mapping):
    epci = db.session.scalar(select(Epci).where(Epci.name == "CC du Ternois"))
    moved = move_epci(epci.siren, "arrageois")
    db.session.commit()
    assert moved > 50
    assert all(
        c.territory_code == "arrageois"
        for c in db.session.scalars(select(Commune).where(Commune.epci_siren == epci.siren))
    )


def test_moving_a_commune(ctx, restore_mapping):
    move_commune("62498", "artois")
    db.session.commit()
    assert territory_for_insee("62498") == "artois"


def test_db_upgrade_twice_from_another_directory_is_harmless(tmp_path):
    env = dict(os.environ, HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3")
    # From another directory, the package under test (this checkout's) must still be the one imported.
    env["PYTHONPATH"] = str(Path(hotline.__file__).resolve().parents[1])
    env.pop("HOTLINE_TEST_DATABASE_URL", None)
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "hotline", "db", "upgrade"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
        )
        assert result.returncode == 0, result.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite3") as con:
        assert con.execute("select count(*) from communes").fetchone()[0] == 887
        assert con.execute("select count(*) from commune_postal_codes").fetchone()[0] == sum(
            len(r.postal_codes) for r in communes_file()
        )
        assert con.execute("select count(*) from territories").fetchone()[0] == 10
        for table in ("cases", "case_statements", "procedure_acts"):  # the case's tables are there, empty
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_admin_moves_an_epci_through_the_page(client, make_user, login, app, restore_mapping):
    admin = make_user("admin")
    login(admin)
    from conftest import csrf_token

    with app.app_context():
        epci = db.session.scalar(select(Epci).where(Epci.name == "CC du Ternois"))
        siren = epci.siren
    token = csrf_token(client, "/admin/territories/")
    response = client.post(f"/admin/epcis/{siren}/territory", data={"territory": "artois", "csrf_token": token})
    assert response.status_code == 302
    page = client.get("/admin/territories/").get_data(as_text=True)
    assert "Rattachement modifié" in page
    with app.app_context():
        assert (
            territory_for_insee(db.session.scalar(select(Commune.insee).where(Commune.epci_siren == siren).limit(1)))
            == "artois"
        )
