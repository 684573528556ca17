"""The migration of the roster to series: the rows of one weekday each that differ only by their weekday
become one series, and on_duty() answers as the rows did. Run on a database of its own (a file on SQLite,
a schema of its own on PostgreSQL), migrated step by step."""

import os
from datetime import UTC, date, datetime, time, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from conftest import TOKEN
from flask_migrate import upgrade

from hotline import create_app
from hotline.core.models_base import UTCDateTime
from hotline.extensions import db
from hotline.permanences.duty import on_duty
from hotline.permanences.models import DutyShift
from hotline.reference.seed import sync as seed_reference

PARIS = ZoneInfo("Europe/Paris")
BEFORE = "9f3c2b7d1e55"  # the revision before the series
SCHEMA = "duty_migration"
EVICTION, INFO = "prevention_expulsion", "info_logement"
OLD_SHIFTS = sa.table(
    "duty_shifts",
    sa.column("user_id", sa.Integer),
    sa.column("mission", sa.String),
    sa.column("territory_code", sa.String),
    sa.column("weekday", sa.SmallInteger),
    sa.column("starts", sa.Time),
    sa.column("ends", sa.Time),
)
USERS = sa.table("users", sa.column("id", sa.Integer), sa.column("active", sa.Boolean), sa.column("phone", sa.String))
OLD_USERS = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("name", sa.String),
    sa.column("role", sa.String),
    sa.column("phone", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("created_at", UTCDateTime()),
)


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty database of its own."""
    url = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if url:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"
    else:
        url = f"sqlite:///{tmp_path / 'migration.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "SERVER_NAME": None,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if os.environ.get("HOTLINE_TEST_DATABASE_URL"):
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


def old_on_duty(mission, territory, local: datetime, include_pool: bool) -> list[int]:
    """What on_duty() asked of the rows of one weekday each, before the series."""
    wall = local.time()
    query = (
        sa.select(USERS.c.id)
        .join(OLD_SHIFTS, OLD_SHIFTS.c.user_id == USERS.c.id)
        .where(
            OLD_SHIFTS.c.mission == mission,
            OLD_SHIFTS.c.weekday == local.weekday(),
            OLD_SHIFTS.c.starts <= wall,
            OLD_SHIFTS.c.ends > wall,
            USERS.c.active.is_(True),
            USERS.c.phone.is_not(None),
        )
        .order_by(OLD_SHIFTS.c.territory_code.is_(None), USERS.c.id)
    )
    if territory and include_pool:
        query = query.where(sa.or_(OLD_SHIFTS.c.territory_code == territory, OLD_SHIFTS.c.territory_code.is_(None)))
    elif territory:
        query = query.where(OLD_SHIFTS.c.territory_code == territory)
    return list(dict.fromkeys(db.session.scalars(query)))


QUESTIONS = list(product((EVICTION, INFO), ("boulonnais", "lens-henin", "calaisis", None), (True, False)))
# A week without a public holiday, every half hour from 8:00 to 18:00.
INSTANTS = [
    datetime.combine(date(2026, 11, 30) + timedelta(days=d), time(8), PARIS) + timedelta(minutes=30 * n)
    for d in range(7)
    for n in range(21)
]


def test_rows_of_one_weekday_become_series_and_on_duty_answers_the_same(fresh_app):
    with fresh_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            seed_reference(connection)
        claire, julien, sophie, away = (  # the accounts as that revision has them (not the models of today)
            db.session.execute(
                OLD_USERS.insert()
                .values(
                    email=f"{name.lower()}@example.org",
                    name=name,
                    role="jurist",
                    phone=phone,
                    active=True,
                    created_at=datetime.now(UTC),
                )
                .returning(OLD_USERS.c.id)
            ).scalar_one()
            for name, phone in (
                ("Claire", "+33612345601"),
                ("Julien", "+33612345602"),
                ("Sophie", "+33612345603"),
                ("Absent", None),
            )
        )
        rows = (
            [(claire, EVICTION, "boulonnais", day, time(9), time(12, 30)) for day in range(5)]
            + [(claire, EVICTION, "boulonnais", day, time(13, 30), time(17)) for day in range(5)]
            + [(claire, INFO, "boulonnais", day, time(9), time(12)) for day in (0, 2)]
            + [(julien, EVICTION, None, day, time(9), time(17)) for day in range(5)]
            + [
                (julien, EVICTION, "boulonnais", 1, time(9), time(17)),
                (sophie, EVICTION, "lens-henin", 3, time(14), time(16)),
                (sophie, EVICTION, "lens-henin", 3, time(14), time(16)),  # twice the same: one series
                (sophie, INFO, "lens-henin", 5, time(10), time(12)),
                (away, INFO, None, 4, time(9), time(17)),
            ]
        )
        db.session.execute(
            OLD_SHIFTS.insert(),
            [
                dict(zip(("user_id", "mission", "territory_code", "weekday", "starts", "ends"), row, strict=False))
                for row in rows
            ],
        )
        db.session.commit()
        before = {
            (question, moment): old_on_duty(*question[:2], moment, question[2])
            for question in QUESTIONS
            for moment in INSTANTS
        }
        assert sum(bool(answer) for answer in before.values()) > 300  # the roster answers often
        db.session.remove()

        upgrade()
        series = sorted(
            (s.user_id, s.mission, s.territory_code or "", s.weekdays, s.starts, s.ends, s.valid_from, s.valid_until)
            for s in db.session.scalars(sa.select(DutyShift))
        )
        assert series == sorted(
            [
                (claire, EVICTION, "boulonnais", (0, 1, 2, 3, 4), time(9), time(12, 30), None, None),
                (claire, EVICTION, "boulonnais", (0, 1, 2, 3, 4), time(13, 30), time(17), None, None),
                (claire, INFO, "boulonnais", (0, 2), time(9), time(12), None, None),
                (julien, EVICTION, "", (0, 1, 2, 3, 4), time(9), time(17), None, None),
                (julien, EVICTION, "boulonnais", (1,), time(9), time(17), None, None),
                (sophie, EVICTION, "lens-henin", (3,), time(14), time(16), None, None),
                (sophie, INFO, "lens-henin", (5,), time(10), time(12), None, None),
                (away, INFO, "", (4,), time(9), time(17), None, None),
            ]
        )
        after = {
            (question, moment): [
                u.id for u in on_duty(question[0], question[1], moment, PARIS, include_pool=question[2])
            ]
            for question in QUESTIONS
            for moment in INSTANTS
        }
        assert after == before
