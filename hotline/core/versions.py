"""Optimistic locking of the records edited in a form, so that of two people editing one record the later
is refused instead of silently undoing the first: the consultation's mechanism, shared.

The model maps an integer `version` column as SQLAlchemy's `version_id_col`, so that every UPDATE of
the row says `... WHERE version = ?` and moves it on. The edit form carries the version it was opened
at in a hidden field (web.forms.Versioned). A save:
- refuses a form without a version, or of another version than the record's (`check`);
- lets the row's UPDATE, emitted at the flush, match nothing if a concurrent save committed first:
  StaleDataError, refused alike (`saving`, around the save and its commit);
- moves the version on when only child rows change (`move_on`: an account's missions), so that
  there is an UPDATE to match.
Every refusal is a ConflictError with the French message the consultations have always given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from hotline.core.ids import parse_id


@dataclass(frozen=True)
class Noun:
    """How the messages name a kind of record: "Ce ménage", "du ménage"; feminine for the agreement."""

    this: str
    of_the: str
    feminine: bool = False


CONSULTATION = Noun("Cette consultation", "de la consultation", feminine=True)
HOUSEHOLD = Noun("Ce ménage", "du ménage")
PLACE = Noun("Ce lieu", "du lieu")
PERMANENCE = Noun("Cette permanence", "de la permanence", feminine=True)
ACCOUNT = Noun("Ce compte", "du compte")
DUTY_SERIES = Noun("Cette série de gardes", "de la série de gardes", feminine=True)


class ConflictError(RuntimeError):
    """Someone else saved the record since the form was opened (a French message)."""


def stale_message(noun: Noun) -> str:
    e = "e" if noun.feminine else ""
    return (
        f"{noun.this} a été modifié{e} par quelqu'un d'autre depuis que vous l'avez ouvert{e}. Rechargez la page "
        "pour voir sa dernière version."
    )


def missing_message(noun: Noun) -> str:
    return (
        f"Ce formulaire ne dit pas quelle version {noun.of_the} vous avez ouverte. Rechargez la page, puis recommencez."
    )


def check(record, posted: str | None, noun: Noun) -> None:
    """Refuse a form that does not say the version it was opened at, or another one than the record's:
    a form without its version could overwrite anyone's edit."""
    expected = parse_id(posted)
    if expected is None:
        raise ConflictError(missing_message(noun))
    if expected != record.version:
        raise ConflictError(stale_message(noun))


def move_on(record) -> None:
    """The record's UPDATE (... WHERE version = ?) is emitted at the next flush, whatever else changes."""
    record.version = (record.version or 0) + 1


@contextmanager
def saving(record, posted: str | None, noun: Noun) -> Iterator[None]:
    """Around a save and its commit: the version posted is checked first (not for a new record, None), and
    a concurrent save that committed first, which makes the row's UPDATE match nothing, is refused alike."""
    if record is not None:
        check(record, posted, noun)
    try:
        yield
    except StaleDataError:
        raise ConflictError(stale_message(noun)) from None
