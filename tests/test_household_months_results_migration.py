"""The migration that counts household_result in report_household_counts (kind `result`) fills them from the months
and results already computed: after it, the counts are those the writes keep. Run on a database of its own
(test_duty_migration's fixture)."""

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import select
from test_duty_migration import fresh_app  # noqa: F401 (fixture)

from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.extensions import db
from hotline.reference.seed import sync as seed_reference
from hotline.reports import household_months

BEFORE = "581d8612353a"  # the revision before the results' counts


def test_the_migration_counts_the_results_the_writes_would_have_counted(fresh_app):  # noqa: F811
    with fresh_app.app_context():
        upgrade()
        seed_reference(db.session.connection())
        for n, (days, acts) in enumerate(
            (
                ([date(2026, 1, 10), date(2026, 3, 4)], {"commandement_payer": date(2026, 1, 2)}),
                ([date(2026, 2, 1)], {"plan_apurement": date(2026, 1, 20), "dette_soldee": date(2026, 2, 1)}),
                ([date(2025, 12, 5)], {}),
            )
        ):
            household = consultations.create_household(name=f"Ménage {n}")
            for day in days:
                made = consultations.record_consultation(
                    {
                        "date": day,
                        "mission": "prevention_expulsion",
                        "mode": "telephone",
                        "territory_code": "lens-henin" if n else "boulonnais",
                        "themes": ["impayes_expulsion"],
                        "procedure_stage": "impaye",
                    },
                    None,
                    household,
                )
            if acts:
                record_acts(household, made, acts)
        db.session.commit()
        counts = household_months.COUNTS
        result = counts.c.kind == household_months.RESULT_KIND
        written = sorted(tuple(row) for row in db.session.execute(select(counts).where(result)))
        assert len(written) >= 3
        db.session.remove()
        downgrade(revision=BEFORE)
        assert db.session.execute(select(counts).where(result)).all() == []
        db.session.remove()
        upgrade()
        assert sorted(tuple(row) for row in db.session.execute(select(counts).where(result))) == written
