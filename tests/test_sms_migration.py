"""The outbox migration moves the reminders already tried (appointments.reminder_*) into
sms_messages, and back on downgrade. On the test database's engine: a SQLite file of its own, or a
PostgreSQL schema of its own."""

import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from hotline import create_app
from hotline.extensions import db

BEFORE = "43f43ef62512"  # the head before the outbox
OUTBOX = "d33be8d43dff"
SCHEMA = "sms_migration"


@pytest.fixture
def database(tmp_path):
    url = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/migration.sqlite3"
        return
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    with app.app_context():
        db.engine.dispose()


def test_tried_reminders_move_into_the_outbox_and_back(database):
    app = create_app({"TESTING": True, "DATABASE_URL": database})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO households (id, created_at) VALUES (1, '2026-12-01 08:00:00')"))
            for id_, status, sid in ((1, "sent", "SM1"), (2, "failed", None), (3, "sending", None), (4, None, None)):
                connection.execute(
                    text(
                        "INSERT INTO appointments (id, household_id, mission, starts_at, minutes, status, "
                        "sms_reminder, reminder_status, reminder_sid, reminder_at, created_at) "
                        "VALUES (:id, 1, 'info_logement', '2026-12-08 08:00:00', 30, 'booked', :sms, :status, :sid, "
                        ":at, '2026-12-01 08:00:00')"
                    ),
                    {
                        "id": id_,
                        "sms": True,
                        "status": status,
                        "sid": sid,
                        "at": "2026-12-07 09:00:00" if status else None,
                    },
                )
        upgrade(revision=OUTBOX)
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT appointment_id, key, status, sid, attempts FROM sms_messages ORDER BY appointment_id")
            ).all()
            columns = connection.execute(text("SELECT * FROM appointments")).keys()
        # A reminder left `sending` has no reference to look up: a person checks it.
        assert [tuple(r) for r in rows] == [
            (1, "reminder:1", "sent", "SM1", 1),
            (2, "reminder:2", "failed", None, 1),
            (3, "reminder:3", "unknown", None, 1),
        ]
        assert not any(name.startswith("reminder_") for name in columns)
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            back = connection.execute(text("SELECT id, reminder_status, reminder_sid FROM appointments ORDER BY id"))
            assert [tuple(r) for r in back] == [
                (1, "sent", "SM1"),
                (2, "failed", None),
                (3, "sending", None),
                (4, None, None),
            ]
        db.engine.dispose()
