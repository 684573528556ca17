"""The consultations import of formats.md: all or nothing, every error by line and column, the
shared sample file, updates by external_id, households by household_ref; page and command."""

import io
from datetime import date

import pytest
from conftest import SAMPLE_CONSULTATIONS, csrf_token
from import_helpers import import_bytes
from recount import consultation_records
from sqlalchemy import func, select

from hotline.cases import services as cases
from hotline.consultations.imports import parse as importing
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db
from hotline.reports import rollup, tidy

TODAY = date(2026, 11, 28)
TERRITORY_62481 = "montreuillois"  # communes-62.csv
HEADER = (
    "external_id;date;mission;mode;commune_insee;postal_code;territory;themes;procedure_stage;debt_amount;"
    "habitat_indigne;duration_minutes;household_ref"
)


def run(app, text: str | bytes, dry_run=False):
    data = text.encode("cp1252") if isinstance(text, str) else text
    with app.app_context():
        result = import_bytes(data, None, TODAY, dry_run=dry_run)
        db.session.commit()
        return result


def count(app, model=Consultation):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_shared_sample_imports_and_imports_again_as_updates(app):
    sample = SAMPLE_CONSULTATIONS.read_bytes()
    refs = {line.rsplit(",", 1)[1].strip() for line in sample.decode().splitlines()[1:]} - {""}
    first = run(app, sample)
    assert (first.problems, first.created, first.updated) == ([], 60, 0)
    assert count(app) == 60 and count(app, Household) == len(refs)
    again = run(app, sample)
    assert (again.problems, again.created, again.updated) == ([], 0, 60)
    assert count(app) == 60
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.external_id == "SRC-7-1"))
        assert (c.commune_insee, c.territory_code, str(c.debt_amount), c.revisions) == (
            "62481",
            TERRITORY_62481,
            "7809.74",
            [],
        )
        assert c.household.external_ref == "H7-15" and sorted(c.codes_of("debt_origin")) == [
            "hausse_charges_energie",
            "litige_bailleur",
        ]


def test_every_wrong_cell_is_listed_and_nothing_is_written(app):
    text = "\n".join(
        [
            HEADER,
            "A1;2026-03-02;prevention_expulsion;telephone;62498;;;impayes_expulsion;assignation;1200,50;0;30;H1",
            "A2;2026-13-02;prevention_expulsion;fax;62999;;;fantaisie;;1 200,50;2;-3;",
            "A3;2027-01-01;info_logement;telephone;;62380;;;jugement;100;0;;",
            "A1;2026-03-02;info_logement;telephone;59350;;lens-henin;;;;0;;",
            "A5;2026-03-02;info_logement;telephone;;62179;;;;;0;;",
        ]
    )
    result = run(app, text)
    found = {(p.line, p.column) for p in result.problems}
    assert found == {
        (3, "date"),
        (3, "mode"),
        (3, "commune_insee"),
        (3, "themes"),
        (3, "debt_amount"),
        (3, "habitat_indigne"),
        (3, "duration_minutes"),
        (4, "date"),
        (4, "procedure_stage"),
        (4, "debt_amount"),
        (5, "territory"),
        (5, "external_id"),
        (6, "postal_code"),  # 62179 belongs to communes of two territories
    }
    assert "ligne 3, colonne « mode » : code inconnu (voir le format d'import)." in [str(p) for p in result.problems]
    assert (
        "ligne 4, colonne « debt_amount » : seulement pour la prévention des expulsions (mission "
        "prevention_expulsion)." in [str(p) for p in result.problems]
    )
    assert count(app) == 0 and count(app, Household) == 0


def test_an_unknown_mission_is_one_error_not_three(app):
    """The stage and debt of a row whose mission is unknown are not also blamed on the mission."""
    result = run(app, "\n".join([HEADER, "B1;2026-03-02;expulsions;telephone;62498;;;;assignation;1200;0;;"]))
    assert [(p.line, p.column) for p in result.problems] == [(2, "mission")]


def test_the_header_is_checked_first(app):
    result = run(app, "date,mission,mode,commentaire\n2026-03-02,info_logement,telephone,x\n")
    assert [str(p) for p in result.problems] == [
        "ligne 1, colonne « n° 4 » : colonne inconnue (voir le format d'import)."
    ]
    assert [str(p) for p in run(app, "date,mission\n").problems] == [
        "ligne 1, colonne « mode » : colonne obligatoire absente."
    ]


def test_postal_code_commune_and_territory_rules(app):
    text = "\n".join(
        [
            "date,mission,mode,commune_insee,postal_code,territory",
            "2026-03-02,info_logement,telephone,,62200,",  # one territory: boulonnais
            "2026-03-02,info_logement,telephone,,59000,",  # outside: hors_departement
            "2026-03-02,info_logement,telephone,,,ternois",  # territory alone
            "2026-03-02,info_logement,telephone,,,",  # nothing: non_renseigne
            "2026-03-02,info_logement,telephone,75056,,",  # Paris
        ]
    )
    assert run(app, text).problems == []
    with app.app_context():
        territories = list(db.session.scalars(select(Consultation.territory_code).order_by(Consultation.id)))
    assert territories == ["boulonnais", "hors_departement", "ternois", "non_renseigne", "hors_departement"]


def test_utf8_with_bom_and_a_dry_run(app):
    text = "\ufeffdate,mission,mode,themes\n2026-03-02,info_logement,telephone,rapports_locatifs/décence\n"
    result = run(app, text.encode("utf-8"), dry_run=True)
    assert result.problems[0].column == "themes"  # the subtheme code is "decence", without accent
    ok = "\ufeffdate,mission,mode,themes\n2026-03-02,info_logement,telephone,rapports_locatifs/decence\n"
    assert run(app, ok.encode("utf-8"), dry_run=True).created == 1 and count(app) == 0


def test_managers_import_from_the_page(app, client, make_user, login):
    login(make_user("manager"))
    url = "/consultations/import"
    token = csrf_token(client, url)
    bad = b"date,mission,mode\n2026-03-02,info_logement,fax\n"
    page = client.post(
        url, data={"csrf_token": token, "file": (io.BytesIO(bad), "a.csv")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert (
        "1 erreur(s) : rien n'a été importé" in page
        and "<td>2</td><td>mode</td><td>code inconnu (voir le format d&#39;import).</td>" in page
    )
    good = b"date,mission,mode\n2026-03-02,info_logement,telephone\n2026-03-03,info_logement,courrier\n"
    page = client.post(
        url,
        data={"csrf_token": token, "dry_run": "1", "file": (io.BytesIO(good), "a.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Essai réussi : 2 consultation(s) seraient créées" in page and count(app) == 0
    done = client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(good), "a.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Import terminé : 2 consultation(s) créées, 0 mises à jour." in done.get_data(as_text=True)
    assert count(app) == 2


def test_jurists_do_not_import(client, jurist, login):
    login(jurist)
    assert client.get("/consultations/import").status_code == 403


def test_import_command(app, runner, tmp_path):
    app.config["FIXED_NOW"] = "2026-11-28T10:00"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        "date;mission;mode\n2026-03-02;info_logement;telephone\n2026-03-02;autre;telephone\n", encoding="cp1252"
    )
    result = runner.invoke(args=["consultations", "import", str(wrong)])
    assert result.exit_code == 1
    assert "ligne 3, colonne « mission » : code inconnu (voir le format d'import)." in result.output
    assert "1 erreur(s) : rien n'a été importé." in result.output and count(app) == 0
    sample = SAMPLE_CONSULTATIONS
    result = runner.invoke(args=["consultations", "import", str(sample), "--dry-run"])
    assert "Essai : 60 consultation(s) seraient créées, 0 mises à jour." in result.output and count(app) == 0
    result = runner.invoke(args=["consultations", "import", str(sample)])
    assert result.exit_code == 0 and "60 consultation(s) créées" in result.output and count(app) == 60


def test_an_unreadable_line_is_an_error_not_a_crash(app):
    huge = b'date,mission,mode\n2026-03-02,info_logement,telephone\n"' + b"x" * 200_000 + b'",a,b\n'
    result = run(app, huge)
    assert [(p.line, p.column) for p in result.problems] == [(3, "date")]  # the column of the long cell
    assert "ligne illisible" in result.problems[0].message and count(app) == 0


CASE_HEADER = (
    "external_id,date,mission,mode,commune_insee,themes,household_ref,lease_signed_on,landlord_type,"
    "rent_amount,housing_benefit,procedure_acts"
)


def test_the_case_columns_import_and_count_in_the_report(app):
    text = "\n".join(
        [
            CASE_HEADER,
            "C1,2026-03-02,prevention_expulsion,telephone,62498,impayes_expulsion,HC1,2020-05-01,bailleur_social,"
            "450.00,versee_bailleur,commandement_payer=2026-01-05|audience=2026-04-10",
            "C2,2026-03-03,info_logement,telephone,62498,rapports_locatifs,HC2,,,,,",
            "C3,2026-03-04,info_logement,telephone,62498,impayes_expulsion,HC3,,personne_physique,,,",
        ]
    )
    result = run(app, text)
    assert (result.problems, result.created) == ([], 3)
    with app.app_context():
        c1 = db.session.scalar(select(Consultation).where(Consultation.external_id == "C1"))
        case = cases.case_of(c1.household)
        assert (case.landlord_type, str(case.rent_amount), case.housing_benefit, case.lease_signed_on) == (
            "bailleur_social",
            "450.00",
            "versee_bailleur",
            date(2020, 5, 1),
        )
        assert cases.act_dates(case) == {"commandement_payer": date(2026, 1, 5), "audience": date(2026, 4, 10)}
        rows = rollup.rows(db.session, date(2026, 3, 1), date(2026, 3, 1), ["info_logement", "prevention_expulsion"])
        assert rows == tidy.build(
            consultation_records(date(2026, 3, 1), date(2026, 4, 1), ["info_logement", "prevention_expulsion"])
        )
        assert tidy.value_of(rows, "info_logement", "total", "all", "landlord_type", "personne_physique") == 1
        assert tidy.value_of(rows, "info_logement", "total", "all", "landlord_type", "inconnu") == 1


def test_wrong_case_cells_are_listed_and_nothing_is_written(app):
    text = "\n".join(
        [
            CASE_HEADER,
            "D1,2026-03-02,prevention_expulsion,telephone,62498,impayes_expulsion,HD1,2027-01-01,chateau,"
            "-4,,assignation=2026-13-01",
            "D2,2026-03-02,info_logement,telephone,62498,rapports_locatifs,HD2,,bailleur_social,,,",
            "D3,2026-03-02,prevention_expulsion,telephone,62498,,,,bailleur_social,,,",
            "D4,2026-03-02,prevention_expulsion,telephone,62498,,HD4,,,,,jugement=2026-05-01",
        ]
    )
    result = run(app, text)
    assert {(p.line, p.column) for p in result.problems} == {
        (2, "lease_signed_on"),
        (2, "landlord_type"),
        (2, "rent_amount"),
        (2, "procedure_acts"),
        (3, "landlord_type"),
        (5, "procedure_acts"),
    }  # a row without household_ref is a household of its own
    assert count(app) == 0 and count(app, Household) == 0


PATH_HEADER = CASE_HEADER + ",decision_kind"


def test_the_path_columns_round_trip(app):
    """decision_kind, case events, several acts of one code across rows and in one cell (docs/formats.md)."""
    text = "\n".join(
        [
            PATH_HEADER,
            "P1,2025-03-02,prevention_expulsion,telephone,62498,impayes_expulsion,HP1,2020-05-01,bailleur_social,450.00,,"
            "commandement_payer=2025-01-06|fsl_demande=2025-02-03,",
            "P2,2025-10-06,prevention_expulsion,telephone,62498,impayes_expulsion,HP1,,,,,"
            "jugement_resiliation=2025-09-01|signification_jugement=2025-09-15,refere",
            "P3,2026-03-02,prevention_expulsion,telephone,62498,impayes_expulsion,HP1,,,,,"
            "commandement_payer=2025-01-06|commandement_payer=2026-02-02,",
            "P4,2026-03-03,prevention_expulsion,telephone,62498,impayes_expulsion,HP1,,,,,commandement_payer=2026-02-03,",
            "P5,2026-03-04,prevention_expulsion,telephone,62498,impayes_expulsion,,,,,,depart_volontaire=2026-03-01,",
        ]
    )
    result = run(app, text)
    assert (result.problems, result.created) == ([], 5)
    with app.app_context():
        p1 = db.session.scalar(select(Consultation).where(Consultation.external_id == "P1"))
        case = cases.case_of(p1.household)
        current = cases.acts_of(case)
        # P3 names two commandements: two acts; P4 names one other date: it corrects the latest (02/02 -> 03/02)
        assert sorted(a.occurred_on for a in current if a.stage == "commandement_payer") == [
            date(2025, 1, 6),
            date(2026, 2, 3),
        ]
        assert {a.stage: a.decision_kind for a in current if a.stage.startswith("jugement")} == {
            "jugement_resiliation": "refere"
        }
        assert "fsl_demande" in cases.act_dates(case)
        found = cases.situation_of(case, date(2025, 9, 20), current)
        assert found.appeal_until == date(2025, 9, 30)  # référé: 15 days (CPC 490), 30/09 a Tuesday
        p5 = db.session.scalar(select(Consultation).where(Consultation.external_id == "P5"))
        assert p5.household is not None and p5.household.external_ref is None  # a household of its own
        assert cases.situation_of(cases.case_of(p5.household), date(2026, 3, 5)).over


@pytest.mark.parametrize(
    "line,column",
    [
        (
            "Q1,2025-03-02,prevention_expulsion,telephone,62498,,HQ,,,,,commandement_payer=2025-01-06,fond",
            "decision_kind",
        ),
        ("Q1,2025-03-02,prevention_expulsion,telephone,62498,,HQ,,,,,jugement=2025-01-06,appel", "decision_kind"),
        ("Q1,2025-03-02,prevention_expulsion,telephone,62498,,HQ,,,,,audience=2026-06-01,", "procedure_acts"),
        ("Q1,2025-03-02,prevention_expulsion,telephone,62498,,HQ,,,,,fsl_demande=1989-12-31,", "procedure_acts"),
    ],
)
def test_wrong_path_cells_are_named(app, line, column):
    result = run(app, PATH_HEADER + "\n" + line)
    assert [(p.line, p.column) for p in result.problems] == [(2, column)]
    assert count(app) == 0


def test_a_file_over_the_old_cap_imports_in_batches(app):
    """No row cap: 50 001 rows (the old limit was 50 000), households shared across batches."""
    lines = ["date,mission,mode,household_ref"]
    lines += [f"2026-0{1 + n % 9}-1{n % 10},info_logement,telephone,H{n % 3000}" for n in range(50_001)]
    result = run(app, "\n".join(lines))
    assert (result.problems, result.created) == ([], 50_001)
    assert count(app) == 50_001 and count(app, Household) == 3000
    with app.app_context():
        whole = rollup.summary(db.session, date(2026, 1, 1), date(2026, 9, 1), ["info_logement"])
        assert tidy.value_of(whole, "info_logement", "total", "all", "consultations") == 50_001
        assert tidy.value_of(whole, "info_logement", "total", "all", "households") == 3000
        for table in (rollup.ROLLUP, rollup.HOUSEHOLDS, rollup.DEBTS):
            db.session.execute(table.delete())
        db.session.commit()


def test_the_ids_seen_are_kept_on_disk_with_their_first_line():
    seen = importing.SeenIds()
    try:
        assert [
            seen.first_line(external_id, line) for line, external_id in enumerate(["A", "B", "A", "Ä", "A"], start=2)
        ] == [None, None, 2, None, 2]
    finally:
        seen.close()


def test_an_id_twice_in_a_file_names_its_first_line_and_nothing_is_written(ctx):
    lines = ["external_id,date,mission,mode,commune_insee,themes"]
    lines += [
        f"X{n % 3 if n == 4 else n},2026-03-0{1 + n},info_logement,telephone,62498,rapports_locatifs" for n in range(5)
    ]  # line 6 repeats the id of line 3 (X1)
    result = import_bytes("\n".join(lines).encode(), None, date(2026, 11, 29))
    assert [(p.line, p.column, p.message) for p in result.problems] == [(6, "external_id", "déjà à la ligne 3.")]
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0
