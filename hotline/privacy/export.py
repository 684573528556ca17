"""Everything the service holds on one household (RGPD art. 15): as a JSON-ready dict (codes as
stored, instants in UTC ISO 8601) and as a readable PDF in French (labels, local times). The PDF
uses fpdf2's core fonts in Windows-1252, like the activity report; a character outside it (a name
in another alphabet, an emoji) is printed as "?" rather than failing the export."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from hotline.appointments.models import STATUSES as APPOINTMENT_STATUSES
from hotline.appointments.models import Appointment
from hotline.auth.models import ROLES, User
from hotline.consultations.models import Consultation, Household, HouseholdFlag, HouseholdNumber
from hotline.consultations.services import SCALAR_FIELDS
from hotline.core import pdf_page as pdf
from hotline.core.audit import AuditEvent
from hotline.core.formatting import format_euros
from hotline.extensions import db
from hotline.ivr.models import CALLBACK_RESULTS, OUTCOMES, Call, CallbackTask
from hotline.reference import label, theme_codes
from hotline.reference.services import commune_label

FORMAT_VERSION = 1
ACTIONS = {
    "household.read": "Lecture du dossier du ménage",
    "household.update": "Modification du ménage",
    "consultation.read": "Lecture d'une consultation",
    "household.export": "Export de ses données (RGPD, art. 15)",
    "household.erase": "Effacement de ses données (RGPD, art. 17)",
}
# A consultation's coded fields, as the PDF names them: field, vocabulary, title.
SINGLE_CODES = (
    ("consultant_type", "consultant_types", "Qui consulte"),
    ("occupancy_status", "occupancy_statuses", "Statut d'occupation"),
    ("housing_sector", "housing_sectors", "Parc"),
    ("family_situation", "family_situations", "Situation familiale"),
    ("age_band", "age_bands", "Âge"),
    ("resource_band", "resource_bands", "Ressources"),
    ("referral_source", "referral_sources", "Orienté par"),
)
CODE_LISTS = (
    ("resource_type", "resource_types", "Nature des ressources"),
    ("debt_origin", "debt_origins", "Origine de la dette"),
    ("outcome", "outcomes", "Suites données"),
)


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


def _row(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def _calls(household: Household, consultations: list[Consultation]) -> list[Call]:
    """The calls its consultations came from, and every call from its number."""
    linked = [c.call_id for c in consultations if c.call_id]
    condition = Call.id.in_(linked)
    if household.phone:
        condition = or_(condition, Call.from_number == household.phone)
    condition = or_(condition, Call.from_number.in_(_other_numbers(household)))
    return list(db.session.scalars(select(Call).where(condition).order_by(Call.started_at, Call.id)))


def _other_numbers(household: Household) -> list[str]:
    """The numbers attached to it from the screen pop (consultations.models.HouseholdNumber), besides its own."""
    query = select(HouseholdNumber.phone).where(HouseholdNumber.household_id == household.id)
    return list(db.session.scalars(query.order_by(HouseholdNumber.id)))


def household_data(household: Household, generated: datetime) -> dict:
    consultations = list(household.consultations)
    calls = _calls(household, consultations)
    callbacks = {
        t.call_id: t
        for t in db.session.scalars(select(CallbackTask).where(CallbackTask.call_id.in_([c.id for c in calls])))
    }
    appointments = db.session.scalars(
        select(Appointment).where(Appointment.household_id == household.id).order_by(Appointment.starts_at)
    )
    accesses = db.session.execute(
        select(AuditEvent.at, AuditEvent.action, User.role)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            or_(
                (AuditEvent.object_type == "household") & (AuditEvent.object_id == str(household.id)),
                (AuditEvent.object_type == "consultation")
                & AuditEvent.object_id.in_([str(c.id) for c in consultations]),
            )
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return {
        "format": FORMAT_VERSION,
        "generated_at": generated.isoformat(),
        "household": _row(
            household, ("id", "name", "phone", "commune_insee", "adults", "children", "external_ref", "created_at")
        )
        | {"other_phones": _other_numbers(household)}
        | {
            "flags": [
                _row(flag, ("kind", "reason", "ends_on", "set_at"))
                for flag in db.session.scalars(
                    select(HouseholdFlag).where(HouseholdFlag.household_id == household.id).order_by(HouseholdFlag.id)
                )
            ]
        },
        "consultations": [
            _row(c, ("id", "external_id", "call_id", *SCALAR_FIELDS, "created_at", "updated_at"))
            | {"jurist": c.jurist.name if c.jurist else None, "themes": c.themes}
            | {kind: c.codes_of(kind) for kind, _, _ in CODE_LISTS}
            | {"revisions": [{"changed_at": _plain(r.changed_at), "changes": r.changes} for r in c.revisions]}
            for c in consultations
        ],
        "calls": [
            _row(
                call,
                (
                    "id",
                    "started_at",
                    "from_number",
                    "to_number",
                    "mission",
                    "postal_code",
                    "commune_insee",
                    "outcome",
                    "wait_seconds",
                    "talk_seconds",
                    "recording_url",
                    "recording_seconds",
                ),
            )
            | {
                "callback": _row(callbacks[call.id], ("kind", "status", "result", "comment", "done_at"))
                if call.id in callbacks
                else None
            }
            for call in calls
        ],
        "appointments": [
            _row(a, ("id", "starts_at", "minutes", "mission", "status", "sms_reminder"))
            | {
                "place": a.permanence.name if a.permanence else None,
                "reminder_status": a.reminder.status if a.reminder else None,
            }
            for a in appointments
        ],
        "accesses": [{"at": _plain(at), "action": action, "role": role} for at, action, role in accesses],
    }


class _Document(pdf.Document):  # the service's A4 page (core/pdf_page.py): margins, title in the footer
    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 13)
        self.multi_cell(0, 7, pdf.printable(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=10)

    def facts(self, lines: list[tuple[str, str]]) -> None:
        for name, value in lines:
            self.set_font("Helvetica", "B", 10)
            self.cell(62, 6, pdf.printable(name))
            self.set_font("Helvetica", size=10)
            self.multi_cell(0, 6, pdf.printable(value or "—"), new_x="LMARGIN", new_y="NEXT")


def _local(value: str | None, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(value).astimezone(zone).strftime("%d/%m/%Y à %H:%M") if value else ""


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def _codes(vocabulary: str, codes: list[str]) -> str:
    return " ; ".join(label(vocabulary, code) for code in codes)


def _consultation(doc: _Document, c: dict, zone: ZoneInfo) -> None:
    doc.heading(f"Consultation du {_day(c['date'])} — {label('missions', c['mission'])}")
    themes = theme_codes()
    lines = [
        ("Mode", label("modes", c["mode"])),
        ("Juriste", c["jurist"] or ""),
        ("Commune", commune_label(c["commune_insee"])),
        ("Thèmes", " ; ".join(themes.get(t, t) for t in c["themes"])),
    ]
    lines += [(title, label(vocabulary, c[field])) for field, vocabulary, title in SINGLE_CODES]
    lines += [(title, _codes(vocabulary, c[kind])) for kind, vocabulary, title in CODE_LISTS]
    if c["procedure_stage"] or c["debt_amount"]:
        lines += [
            ("Stade de la procédure", label("procedure_stages", c["procedure_stage"])),
            ("Dette", format_euros(Decimal(c["debt_amount"])) if c["debt_amount"] else "inconnue"),
        ]
    lines += [
        ("Habitat indigne", "oui" if c["habitat_indigne"] else "non"),
        ("Permis de louer", "oui" if c["permis_louer"] else "non"),
        ("Notes", c["notes"] or ""),
    ]
    lines += [(f"Modifiée le {_local(r['changed_at'], zone)}", ", ".join(r["changes"]) or "—") for r in c["revisions"]]
    doc.facts(lines)


def household_pdf(data: dict, zone: ZoneInfo) -> bytes:
    h = data["household"]
    doc = _Document(f"Données personnelles — ménage n° {h['id']}")
    doc.add_page()
    doc.set_font("Helvetica", "B", 16)
    doc.multi_cell(0, 8, f"Données personnelles du ménage n° {h['id']}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=10)
    doc.multi_cell(
        0,
        6,
        pdf.printable(
            f"Toutes les données que le service d'information sur le logement du Pas-de-Calais détient sur ce ménage, "
            f"établies le {_local(data['generated_at'], zone)} (RGPD, article 15)."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.heading("Le ménage")
    doc.facts(
        [
            ("Nom", h["name"] or ""),
            ("Téléphone", h["phone"] or ""),
            ("Autres numéros", ", ".join(h.get("other_phones") or [])),
            ("Commune", commune_label(h["commune_insee"])),
            (
                "Composition",
                f"{h['adults'] if h['adults'] is not None else '?'} adulte(s), "
                f"{h['children'] if h['children'] is not None else '?'} enfant(s)",
            ),
            ("Référence de dossier", h["external_ref"] or ""),
            ("Enregistré le", _local(h["created_at"], zone)),
        ]
    )
    for consultation in data["consultations"]:
        _consultation(doc, consultation, zone)
    doc.heading(f"Appels ({len(data['calls'])})")
    for call in data["calls"]:
        callback = call["callback"]
        doc.facts(
            [
                (
                    _local(call["started_at"], zone),
                    f"de {call['from_number'] or 'numéro effacé'} : "
                    f"{OUTCOMES.get(call['outcome'], call['outcome'])}"
                    + (" ; message vocal enregistré" if call["recording_url"] else "")
                    + (
                        f" ; rappel : {CALLBACK_RESULTS.get(callback['result'], callback['result'] or 'à faire')}"
                        + (f" ({callback['comment']})" if callback["comment"] else "")
                        if callback
                        else ""
                    ),
                )
            ]
        )
    doc.heading(f"Rendez-vous ({len(data['appointments'])})")
    doc.facts(
        [
            (
                _local(a["starts_at"], zone),
                f"{a['place'] or 'Au bureau'} : "
                f"{APPOINTMENT_STATUSES.get(a['status'], a['status'])}"
                + (" ; rappel par SMS accepté" if a["sms_reminder"] else ""),
            )
            for a in data["appointments"]
        ]
    )
    doc.heading(f"Accès au dossier ({len(data['accesses'])})")
    doc.facts(
        [
            (_local(a["at"], zone), f"{ACTIONS.get(a['action'], a['action'])} ({ROLES.get(a['role'], 'système')})")
            for a in data["accesses"]
        ]
    )
    return bytes(doc.output())
