"""The case and its acts in the database: record_acts, corrections with history, case_of, acts_of."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.cases.page import case_page
from hotline.cases.services import (
    CaseError,
    Stated,
    act_dates,
    act_history,
    acts_of,
    case_of,
    parse_acts,
    record_acts,
    record_case,
)
from hotline.consultations import services as consultations
from hotline.extensions import db


@pytest.fixture
def household(ctx):
    family = consultations.create_household(name="Famille Martin")
    db.session.commit()
    return family


@pytest.fixture
def consult(household):
    def make(day, mission="prevention_expulsion", themes=("impayes_expulsion",)):
        consultation = consultations.record_consultation(
            {
                "date": day,
                "mission": mission,
                "mode": "telephone",
                "territory_code": "lens-henin",
                "themes": list(themes),
            },
            None,
            household,
        )
        db.session.commit()
        return consultation

    return make


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_acts_are_recorded_in_legal_order(household, consult):
    seen = consult(date(2024, 6, 20))
    record_acts(
        household,
        seen,
        {
            "signification_jugement": date(2024, 6, 12),
            "commandement_payer": date(2024, 1, 8),
            "assignation": date(2024, 3, 20),
        },
        lease_signed_on=date(2019, 9, 1),
        landlord_type="personne_physique",
        rent_amount=Decimal("540.00"),
        housing_benefit="versee_bailleur",
    )
    db.session.commit()
    case = case_of(household)
    assert [a.stage for a in acts_of(case)] == ["commandement_payer", "assignation", "signification_jugement"]
    assert all(a.consultation_id == seen.id and a.recorded_at is not None for a in acts_of(case))
    assert (case.lease_signed_on, case.landlord_type, case.rent_amount, case.housing_benefit) == (
        date(2019, 9, 1),
        "personne_physique",
        Decimal("540.00"),
        "versee_bailleur",
    )


def test_a_later_correction_replaces_the_date_and_keeps_the_old_one(household, consult):
    first, second = consult(date(2024, 2, 1)), consult(date(2024, 3, 1))
    record_acts(household, first, {"commandement_payer": date(2024, 1, 18)})
    record_acts(household, second, {"commandement_payer": date(2024, 1, 8)})
    db.session.commit()
    case = case_of(household)
    assert act_dates(case) == {"commandement_payer": date(2024, 1, 8)}
    history = act_history(case)
    assert [(a.occurred_on, a.consultation_id, a.replaced_at is None) for a in history] == [
        (date(2024, 1, 18), first.id, False),
        (date(2024, 1, 8), second.id, True),
    ]


def test_an_older_consultation_does_not_undo_a_later_correction(household, consult):
    """An import of an old file after a live correction: the old date goes to the history only."""
    later = consult(date(2024, 3, 1))
    record_acts(household, later, {"commandement_payer": date(2024, 1, 8)})
    earlier = consult(date(2024, 2, 1))
    record_acts(household, earlier, {"commandement_payer": date(2024, 1, 18)})
    db.session.commit()
    case = case_of(household)
    assert act_dates(case) == {"commandement_payer": date(2024, 1, 8)}
    assert sorted((a.occurred_on, a.replaced_at is None) for a in act_history(case)) == [
        (date(2024, 1, 8), True),
        (date(2024, 1, 18), False),
    ]


def test_recording_the_same_thing_twice_changes_nothing(household, consult):
    seen = consult(date(2024, 2, 1))
    for _ in range(2):
        record_acts(household, seen, {"commandement_payer": date(2024, 1, 8)}, rent_amount=Decimal("500"))
        db.session.commit()
    assert (rows(Case), rows(ProcedureAct), rows(CaseStatement)) == (1, 1, 1)


def test_the_case_keeps_what_the_latest_consultation_said_field_by_field(household, consult):
    old, new = consult(date(2024, 2, 1)), consult(date(2024, 5, 1))
    record_acts(household, new, {}, rent_amount=Decimal("610"), landlord_type="bailleur_social")
    record_acts(
        household,
        old,
        {},
        rent_amount=Decimal("580"),
        lease_signed_on=date(2018, 4, 1),
        housing_benefit="versee_locataire",
    )
    db.session.commit()
    case = case_of(household)
    assert (case.rent_amount, case.landlord_type, case.lease_signed_on, case.housing_benefit) == (
        Decimal("610"),
        "bailleur_social",
        date(2018, 4, 1),
        "versee_locataire",
    )
    said = {s.consultation_id: s.rent_amount for s in db.session.scalars(select(CaseStatement))}
    assert said == {old.id: Decimal("580"), new.id: Decimal("610")}  # what the reports read per consultation


def test_an_info_line_consultation_about_unpaid_rent_may_record_acts(household, consult):
    seen = consult(date(2024, 2, 1), mission="info_logement", themes=("impayes_expulsion/impaye_locataire",))
    record_acts(household, seen, {"commandement_payer": date(2024, 1, 8)})
    db.session.commit()
    assert act_dates(case_of(household)) == {"commandement_payer": date(2024, 1, 8)}


def test_a_hearing_may_be_ahead_of_the_consultation(household, consult):
    seen = consult(date(2024, 2, 1))
    record_acts(household, seen, {"audience": date(2024, 4, 15)})
    db.session.commit()
    assert act_dates(case_of(household)) == {"audience": date(2024, 4, 15)}


@pytest.mark.parametrize(
    "acts,fields,mission,field,message",
    [
        (
            {"commandement": date(2024, 1, 8)},
            {},
            "prevention_expulsion",
            "acts.commandement",
            "n'est pas un acte de la procédure",
        ),
        ({"inconnu": date(2024, 1, 8)}, {}, "prevention_expulsion", "acts.inconnu", "n'est pas un acte"),
        (
            {"commandement_payer": date(2024, 3, 8)},
            {},
            "prevention_expulsion",
            "acts.commandement_payer",
            "postérieure à celle de la consultation",
        ),
        ({"commandement_payer": None}, {}, "prevention_expulsion", "acts.commandement_payer", "date manquante"),
        ({"commandement_payer": date(2024, 1, 8)}, {}, "info_logement", "acts", "impayé de loyer"),
        ({}, {"landlord_type": "marchand_de_sommeil"}, "prevention_expulsion", "landlord_type", "valeur de la liste"),
        ({}, {"housing_benefit": "apl"}, "prevention_expulsion", "housing_benefit", "valeur de la liste"),
        ({}, {"rent_amount": Decimal("-1")}, "prevention_expulsion", "rent_amount", "de 0 à moins de 10 000 000"),
        ({}, {"rent_amount": "beaucoup"}, "prevention_expulsion", "rent_amount", "montant en euros"),
        (
            {},
            {"lease_signed_on": date(2030, 1, 1)},
            "prevention_expulsion",
            "lease_signed_on",
            "et la date de la consultation",
        ),
        ({}, {"bail": date(2020, 1, 1)}, "prevention_expulsion", "bail", "Champ inconnu"),
    ],
)
def test_bad_input_is_a_french_error_and_writes_nothing(household, consult, acts, fields, mission, field, message):
    seen = consult(date(2024, 2, 1), mission=mission, themes=("rapports_locatifs",))
    with pytest.raises(CaseError) as raised:
        record_acts(household, seen, {"assignation": date(2024, 1, 30), **acts}, **fields)
    assert message in raised.value.errors[field]
    db.session.rollback()
    assert (rows(Case), rows(ProcedureAct), rows(CaseStatement)) == (0, 0, 0)


def test_the_household_page_notices_come_from_the_recorded_acts(household, consult):
    seen = consult(date(2026, 10, 2))
    record_acts(household, seen, {"commandement_quitter": date(2026, 9, 20)}, lease_signed_on=date(2024, 1, 1))
    db.session.commit()
    found = {n.key: n for n in case_page(household, [], date(2026, 11, 28)).notices}  # as the household page
    assert found["treve_hivernale"].on == date(2027, 4, 1)
    assert found["expulsion_au_plus_tot"].on == date(2026, 11, 20)


def test_a_case_holds_several_acts_of_one_code(household, consult):
    """A second commandement de payer is an act of its own; situation() reads the latest of each code."""
    seen = consult(date(2024, 2, 1))
    case = record_acts(household, seen, {"commandement_payer": date(2024, 1, 8)})
    later = consult(date(2025, 3, 1))
    record_acts(household, later, {"commandement_payer": Stated((date(2025, 2, 3),), new=True)})
    db.session.commit()
    assert [act.occurred_on for act in acts_of(case)] == [date(2024, 1, 8), date(2025, 2, 3)]
    assert act_dates(case) == {"commandement_payer": date(2025, 2, 3)}
    again = consult(date(2025, 3, 5))  # the same two dates stated again change nothing
    assert record_case(household, again, {"commandement_payer": [date(2024, 1, 8), date(2025, 2, 3)]})[1] == {}
    assert len(act_history(case)) == 2


def test_a_date_typed_over_a_known_act_corrects_that_act_and_names_it(household, consult):
    seen = consult(date(2024, 2, 1))
    case = record_acts(household, seen, {"commandement_payer": [date(2024, 1, 8), date(2024, 1, 20)]})
    first = acts_of(case)[0]
    fixed = consult(date(2024, 2, 2))
    _, changes = record_case(household, fixed, {"commandement_payer": Stated((date(2024, 1, 9),), corrects=first.id)})
    db.session.commit()
    assert changes == {"acts.commandement_payer": ["2024-01-08", "2024-01-09"]}
    assert sorted(act.occurred_on for act in acts_of(case)) == [date(2024, 1, 9), date(2024, 1, 20)]
    corrected = next(act for act in acts_of(case) if act.occurred_on == date(2024, 1, 9))
    assert corrected.replaces_id == first.id and db.session.get(ProcedureAct, first.id).replaced_at is not None


def test_the_import_cell_of_procedure_acts():
    assert parse_acts("commandement_payer=2024-02-05|assignation=2024-04-10|fsl_demande=2024-04-20") == {
        "commandement_payer": Stated((date(2024, 2, 5),)),
        "assignation": Stated((date(2024, 4, 10),)),
        "fsl_demande": Stated((date(2024, 4, 20),)),
    }
    assert parse_acts(" commandement_payer = 2024-02-05 | ") == {"commandement_payer": Stated((date(2024, 2, 5),))}
    assert parse_acts("") == {} and parse_acts(None) == {}
    # a code named twice with two dates is two acts (docs/formats.md)
    assert parse_acts("audience=2024-03-05|audience=2024-02-05") == {
        "audience": Stated((date(2024, 2, 5), date(2024, 3, 5)))
    }


@pytest.mark.parametrize(
    "cell,message",
    [
        ("commandement=2024-02-05", "attendu code=AAAA-MM-JJ"),
        ("inconnu=2024-02-05", "attendu code=AAAA-MM-JJ"),
        ("commandement_payer", "attendu code=AAAA-MM-JJ"),
        ("commandement_payer=05/02/2024", "AAAA-MM-JJ"),
        ("commandement_payer=2024-02-30", "AAAA-MM-JJ"),
    ],
)
def test_a_wrong_import_cell_is_a_french_error(cell, message):
    with pytest.raises(CaseError) as raised:
        parse_acts(cell)
    assert message in raised.value.errors["procedure_acts"]


def test_coming_deadlines_lists_the_households_whose_next_deadline_is_within_15_days(
    ctx, household, consult, make_user
):
    from hotline.consultations.services import coming_deadlines

    consultation = consult(date(2026, 10, 1))
    record_acts(household, consultation, {"signification_jugement": date(2026, 9, 25)})
    db.session.commit()
    eviction = db.session.merge(make_user("jurist", missions=("prevention_expulsion",)))
    information = db.session.merge(make_user("jurist", missions=("info_logement",)))
    # The decision's kind is not noted: both delays. Référé: 15 days after 25/09 (CPC 490, 641) = Saturday
    # 10/10, carried to Monday 12/10 (CPC 642); merits: one month (CPC 538) = Sunday 25/10, carried to 26/10.
    due = coming_deadlines(eviction, date(2026, 10, 1))
    assert [(h.id, key, day) for h, key, day in due] == [(household.id, "appel", date(2026, 10, 12))]
    due = coming_deadlines(eviction, date(2026, 10, 15))
    assert [(h.id, key, day) for h, key, day in due] == [(household.id, "appel", date(2026, 10, 26))]
    assert coming_deadlines(eviction, date(2026, 9, 26)) == []  # 16 days ahead: not yet
    assert coming_deadlines(eviction, date(2026, 10, 27)) == []  # passed
    assert coming_deadlines(information, date(2026, 10, 15)) == []  # not their mission
    assert len(coming_deadlines(db.session.merge(make_user("manager")), date(2026, 10, 15))) == 1


def test_a_corrected_judgment_keeps_its_kind_unless_another_is_said(household, consult):
    seen = consult(date(2024, 3, 1))
    case = record_acts(household, seen, {"jugement_resiliation": date(2024, 2, 5)}, decision_kind="refere")
    fixed = consult(date(2024, 3, 2))
    record_acts(household, fixed, {"jugement_resiliation": date(2024, 2, 6)})
    db.session.commit()
    (judgment,) = acts_of(case)
    assert (judgment.occurred_on, judgment.decision_kind) == (date(2024, 2, 6), "refere")
