"""The pseudonymised export for the Département's observatory: one row per consultation, codes only.

What leaves the service, and what does not:
- the household is a keyed hash (HMAC-SHA256 with HOTLINE_OBSERVATORY_KEY, 16 hex characters): the same
  household has the same pseudonym in every export made with the same key, so the observatory can
  follow households over time; without the key nobody can go back to the household's number;
- the month, never the day; the territory, never the commune (a village and a month could single a
  household out);
- the debt rounded to ten euros; no name, phone, notes, free text, jurist or identifier of the service.

Rows are read in batches and written as they come: memory does not grow with the period.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from hotline.consultations.models import Consultation, ConsultationCode
from hotline.extensions import db

SINGLE = (
    "mode",
    "consultant_type",
    "occupancy_status",
    "housing_sector",
    "family_situation",
    "age_band",
    "resource_band",
    "referral_source",
    "procedure_stage",
)
MULTI = {
    "themes": "theme",
    "subthemes": "subtheme",
    "resource_types": "resource_type",
    "debt_origins": "debt_origin",
    "outcomes": "outcome",
}
COLUMNS = (
    "month",
    "mission",
    "territory",
    "household",
    *SINGLE,
    *MULTI,
    "debt_amount_rounded",
    "habitat_indigne",
    "permis_louer",
)
BATCH = 5_000


class ObservatoryKeyMissing(RuntimeError):
    """No key: the export would have to invent one, and pseudonyms would change from one export to the next."""


def pseudonym(key: bytes, household_id: int | None, consultation_id: int) -> str:
    """The household's keyed hash; a consultation without household is a household of its own."""
    subject = f"h{household_id}" if household_id is not None else f"c{consultation_id}"
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()[:16]


def rounded(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return str((amount / 10).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 10)


def rows(key: str, first: date, end: date, missions: list[str]) -> Iterator[list[str]]:
    """The rows of consultations dated first <= date < end, in date order, header first."""
    if not key:
        raise ObservatoryKeyMissing(
            "HOTLINE_OBSERVATORY_KEY n'est pas défini : l'export pseudonymisé a besoin "
            "d'une clé stable (voir .env.example)."
        )
    secret = key.encode()
    yield list(COLUMNS)
    columns = [
        Consultation.id,
        Consultation.date,
        Consultation.mission,
        Consultation.territory_code,
        Consultation.household_id,
        *(getattr(Consultation, name) for name in SINGLE),
        Consultation.debt_amount,
        Consultation.habitat_indigne,
        Consultation.permis_louer,
    ]
    query = (
        select(*columns)
        .where(Consultation.date >= first, Consultation.date < end, Consultation.mission.in_(missions))
        .order_by(Consultation.date, Consultation.id)
    )
    last_id, last_day = 0, None
    while True:  # keyset pagination: each batch is one short query, whatever the size of the period
        page = query
        if last_day is not None:
            page = page.where(
                (Consultation.date > last_day) | ((Consultation.date == last_day) & (Consultation.id > last_id))
            )
        batch = db.session.execute(page.limit(BATCH)).all()
        if not batch:
            return
        codes = _codes([row[0] for row in batch])
        for row in batch:
            cid, day, mission, territory, household_id = row[:5]
            singles = row[5 : 5 + len(SINGLE)]
            debt, indigne, permis = row[5 + len(SINGLE) :]
            mine = codes.get(cid, {})
            yield [
                f"{day:%Y-%m}",
                mission,
                territory,
                pseudonym(secret, household_id, cid),
                *(value or "" for value in singles),
                *("|".join(sorted(mine.get(kind, ()))) for kind in MULTI.values()),
                rounded(debt),
                "1" if indigne else "0",
                "1" if permis else "0",
            ]
        last_id, last_day = batch[-1][0], batch[-1][1]


def _codes(consultation_ids: list[int]) -> dict[int, dict[str, set[str]]]:
    found: dict[int, dict[str, set[str]]] = {}
    query = select(ConsultationCode.consultation_id, ConsultationCode.kind, ConsultationCode.code).where(
        ConsultationCode.consultation_id.in_(consultation_ids)
    )
    for cid, kind, code in db.session.execute(query):
        found.setdefault(cid, {}).setdefault(kind, set()).add(code)
    return found


def csv_chunks(lines: Iterator[list[str]]) -> Iterator[str]:
    """CSV text, a batch of lines at a time (for a streamed download or a file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, line in enumerate(lines, 1):
        writer.writerow(line)
        if number % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
