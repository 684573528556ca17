"""Every model of the app, imported in one place for Alembic and the shell."""

from hotline.activities.models import Activity
from hotline.appointments.models import Appointment
from hotline.auth.models import LoginAttempt, User, UserMission, UserTerritory
from hotline.cases.models import Case, CaseStatement, ProcedureAct
from hotline.consultations.imports.jobs import ImportJob
from hotline.consultations.models import (
    Consultation,
    ConsultationCode,
    ConsultationRevision,
    Household,
    HouseholdFlag,
    HouseholdNumber,
)
from hotline.core.audit import AuditEvent
from hotline.core.models_base import Base, utcnow
from hotline.core.opening import Closure, OpeningHours
from hotline.ivr.models import Call, CallbackTask
from hotline.permanences.models import (
    DutyShift,
    Permanence,
    PermanenceCancellation,
    Place,
)
from hotline.reference.models import Commune, CommunePostalCode, Epci, Territory
from hotline.reports.call_months import ReportCallMonth, ReportCallMonthMark
from hotline.reports.notes import ReportNote
from hotline.reports.rollup_models import (
    ReportCaseResult,
    ReportDebt,
    ReportHousehold,
    ReportHouseholdCount,
    ReportHouseholdMonth,
    ReportRollup,
)
from hotline.sms.models import SmsMessage

__all__ = [
    "Activity",
    "Appointment",
    "AuditEvent",
    "Base",
    "Call",
    "CallbackTask",
    "Case",
    "CaseStatement",
    "Closure",
    "Commune",
    "CommunePostalCode",
    "Consultation",
    "ConsultationCode",
    "ConsultationRevision",
    "DutyShift",
    "Epci",
    "Household",
    "HouseholdFlag",
    "HouseholdNumber",
    "ImportJob",
    "LoginAttempt",
    "OpeningHours",
    "Permanence",
    "PermanenceCancellation",
    "Place",
    "ProcedureAct",
    "ReportCallMonth",
    "ReportCallMonthMark",
    "ReportCaseResult",
    "ReportDebt",
    "ReportHousehold",
    "ReportHouseholdCount",
    "ReportHouseholdMonth",
    "ReportNote",
    "ReportRollup",
    "SmsMessage",
    "Territory",
    "User",
    "UserMission",
    "UserTerritory",
    "utcnow",
]
