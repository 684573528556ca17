"""The migration that makes report_household_months fills it from the consultations already logged, so that
the reports agree without a rebuild. Run on a database of its own (test_duty_migration's fixture)."""

from datetime import date
from decimal import Decimal

from flask_migrate import downgrade, upgrade
from recount import household_records
from sqlalchemy import func, select
from test_duty_migration import fresh_app  # noqa: F401 (fixture)

from hotline.cases import figures
from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.extensions import db
from hotline.reference.seed import sync as seed_reference
from hotline.reports import household_months

BEFORE = "b4d8e2a61c37"  # the revision before the households' months
MISSIONS = ["prevention_expulsion", "info_logement"]


def test_the_migration_fills_the_months_of_the_households_logged(fresh_app):  # noqa: F811
    with fresh_app.app_context():
        upgrade()
        seed_reference(db.session.connection())
        household = consultations.create_household(name="Ménage")
        for day, stage, debt, place in (
            (date(2025, 12, 4), "impaye", "900", ("62498", "lens-henin")),
            (date(2026, 2, 10), "assignation", None, ("62160", "boulonnais")),
            (date(2026, 2, 20), None, "1500.50", ("62160", "boulonnais")),
        ):
            made = consultations.record_consultation(
                {
                    "date": day,
                    "mission": MISSIONS[0],
                    "mode": "telephone",
                    "commune_insee": place[0],
                    "territory_code": place[1],
                    "themes": ["impayes_expulsion"],
                    "procedure_stage": stage,
                    "debt_amount": Decimal(debt) if debt else None,
                },
                None,
                household,
            )
        record_acts(household, made, {}, rent_amount=Decimal("450"))
        consultations.record_consultation(
            {
                "date": date(2026, 1, 8),
                "mission": MISSIONS[1],
                "mode": "permanence",
                "commune_insee": "62041",
                "territory_code": "arrageois",
                "themes": ["rapports_locatifs"],
            },
            None,
            None,
        )
        db.session.commit()
        months = ["2026-01", "2026-02"]
        wanted = household_records(date(2026, 3, 1), MISSIONS)
        db.session.remove()
        downgrade(revision=BEFORE)
        upgrade()
        assert (
            db.session.scalar(select(func.count()).select_from(household_months.TABLE)) == 3
        )  # h: 2025-12, 2026-02; the lone one
        read = [f for f in household_months.read(db.session, months, MISSIONS) if f.indicator in figures.INDICATORS]
        assert sorted(read) == sorted(figures.build(wanted, months))
