"""The personal and free-text fields of the database, and their erasure. Rows are kept, so that the
figures do not move: codes, dates, amounts, composition, commune and territory stay; what names,
reaches or describes a person in words is emptied. Services flush; the caller commits.

A new column that may hold a name, a number or free text belongs in PERSONAL_FIELDS.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, cast, exists, or_, select, update
from sqlalchemy.sql import ColumnElement

from hotline.appointments.models import Appointment
from hotline.consultations.imports import jobs as import_jobs
from hotline.consultations.models import Consultation, ConsultationRevision, Household
from hotline.extensions import db
from hotline.ivr.models import Call, CallbackTask
from hotline.sms.models import SmsMessage

PERSONAL_FIELDS = {
    Household: ("name", "phone", "external_ref"),  # external_ref: an identifier of another system's file
    Consultation: ("notes", "external_id"),
    Call: ("from_number", "recording_url"),
    CallbackTask: ("comment",),
    SmsMessage: ("sid",),  # Twilio's message, which holds the number and the text
}
# Keys of a revision's {field: [before, after]} that hold free text.
REVISION_FIELDS = tuple(f for f in PERSONAL_FIELDS[Consultation] if f != "external_id")
_BATCH = 500


def _blank(model) -> dict:
    return dict.fromkeys(PERSONAL_FIELDS[model])


def _any_set(model) -> ColumnElement[bool]:
    return or_(*(getattr(model, name).is_not(None) for name in PERSONAL_FIELDS[model]))


def call_holds_personal_data() -> ColumnElement[bool]:
    """A call row still holding the caller's number, a voicemail link or a callback comment."""
    return or_(_any_set(Call), exists().where(CallbackTask.call_id == Call.id, _any_set(CallbackTask)))


def household_holds_personal_data() -> ColumnElement[bool]:
    """A household whose records still hold something personal: its own fields, its consultations' notes
    (or the history of them), the calls they came from, its appointments' SMS."""
    consultation = Consultation.household_id == Household.id
    return or_(
        _any_set(Household),
        exists().where(consultation, _any_set(Consultation)),
        exists().where(
            consultation,
            ConsultationRevision.consultation_id == Consultation.id,
            or_(*(cast(ConsultationRevision.changes, String).contains(f'"{name}"') for name in REVISION_FIELDS)),
        ),
        exists().where(consultation, Call.id == Consultation.call_id, call_holds_personal_data()),
        exists().where(
            Appointment.household_id == Household.id, SmsMessage.appointment_id == Appointment.id, _any_set(SmsMessage)
        ),
    )


def erase_calls(condition: ColumnElement[bool]) -> None:
    """Empties the caller's number, voicemail link, callback comment and self-service SMS of the calls
    matching condition."""
    db.session.execute(
        update(SmsMessage)
        .where(SmsMessage.call_id.in_(select(Call.id).where(condition)))
        .values(**_blank(SmsMessage))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(CallbackTask)
        .where(CallbackTask.call_id.in_(select(Call.id).where(condition)))
        .values(**_blank(CallbackTask))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Call).where(condition).values(**_blank(Call)).execution_options(synchronize_session=False)
    )


def erase_households(household_ids: Iterable[int], *, calls_from_their_number: bool = False) -> None:
    """Erases the personal data of these households and of everything linked to them: consultations'
    notes and their history, the calls they came from (and, at a person's request, every call from the
    household's number), callback comments, appointments' SMS. A consultation's and a household's version
    moves on, so that a form opened before cannot write its notes, name or number back. Background imports
    whose errors or file name mention them lose those too."""
    ids = list(household_ids)
    for chunk in (ids[i : i + _BATCH] for i in range(0, len(ids), _BATCH)):
        linked_calls = Call.id.in_(select(Consultation.call_id).where(Consultation.household_id.in_(chunk)))
        if calls_from_their_number:
            phones = select(Household.phone).where(Household.id.in_(chunk), Household.phone.is_not(None))
            linked_calls = or_(linked_calls, Call.from_number.in_(phones))
        erase_calls(linked_calls)
        held = db.session.execute(
            select(Household.name, Household.external_ref, Household.phone).where(Household.id.in_(chunk))
        ).all()
        import_jobs.erase_mentions(
            [text for name, ref, _ in held for text in (name, ref)], [phone for *_, phone in held]
        )
        revisions = select(ConsultationRevision).join(Consultation).where(Consultation.household_id.in_(chunk))
        for revision in db.session.scalars(revisions):
            if any(name in revision.changes for name in REVISION_FIELDS):
                revision.changes = {k: v for k, v in revision.changes.items() if k not in REVISION_FIELDS}
        db.session.execute(
            update(Consultation)
            .where(Consultation.household_id.in_(chunk))
            .values(version=Consultation.version + 1, **_blank(Consultation))
            .execution_options(synchronize_session=False)
        )
        theirs = select(Appointment.id).where(Appointment.household_id.in_(chunk))
        db.session.execute(
            update(SmsMessage)
            .where(SmsMessage.appointment_id.in_(theirs))
            .values(**_blank(SmsMessage))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(Household)
            .where(Household.id.in_(chunk))
            .values(version=Household.version + 1, **_blank(Household))
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    db.session.expire_all()
