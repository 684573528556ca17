"""What a household's page shows of its case: the lease, the acts in legal order with the consultation
that stated each, the dates computed from them (notices), the next step the texts provide, and the
debt over time (a chart and the same numbers in a table).

Built from the consultations the reader may read; the view shows it only to those who may read the
eviction mission (services.may_read_cases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from hotline.cases import notices
from hotline.cases.models import Case, ProcedureAct
from hotline.cases.path import Situation
from hotline.cases.services import (
    act_history,
    acts_of,
    case_of,
    code_label,
    latest_dates,
    may_edit_case,
    situation_of,
)
from hotline.core import charts
from hotline.core.formatting import format_euros, fr_date
from hotline.reference import label

if TYPE_CHECKING:  # named for the type checker, not imported when run: consultations imports cases, never back
    from hotline.consultations.models import Consultation, Household


@dataclass(frozen=True)
class NextStep:
    text: str
    article: str


@dataclass(frozen=True)
class CasePage:
    case: Case | None
    acts: list[ProcedureAct]  # current, in legal order
    corrected: list[ProcedureAct]  # dates replaced or deleted since, in legal order
    situation: Situation
    stage: str | None  # the latest consultation's stage, which stands for an undated judgment (notices.reading)
    notices: list[notices.Notice]
    next_step: NextStep | None
    debts: list[tuple[date, Decimal]]  # oldest first, one a day (the latest stated that day)
    chart_svg: str | None

    @property
    def summary(self) -> str:
        """Where the procedure stands, in one French sentence."""
        return notices.summary(self.situation, self.stage)

    @staticmethod
    def label(act: ProcedureAct) -> str:
        """An act's or event's name, with a judgment's kind when known."""
        named = code_label(act.stage)
        if act.decision_kind and act.decision_kind != "inconnu":
            named += f" ({label('decision_kinds', act.decision_kind).lower()})"
        return named

    def deletable_by(self, user) -> bool:
        """Whether `user` gets a "Supprimer" beside each act (a jurist of the eviction mission)."""
        return bool(self.acts) and may_edit_case(user)


def debt_over_time(consultations: list[Consultation]) -> list[tuple[date, Decimal]]:
    """The debts these consultations stated, oldest first; two the same day: the later recorded."""
    by_day: dict[date, Decimal] = {}
    for consultation in sorted(consultations, key=lambda c: (c.date, c.id)):
        if consultation.debt_amount is not None:
            by_day[consultation.date] = consultation.debt_amount
    return sorted(by_day.items())


def debt_chart(debts: list[tuple[date, Decimal]]) -> charts.Chart:
    described = " ; ".join(f"{format_euros(amount)} le {fr_date(day)}" for day, amount in debts)
    return charts.lines(
        "Dette du ménage",
        [fr_date(day) for day, _ in debts],
        {"Dette": [float(amount) for _, amount in debts]},
        unit="€",
        description=f"Dette du ménage au fil des consultations : {described}.",
    )


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b.*?</style>", re.S)


def _presentation_attributes(match: re.Match) -> str:
    pairs = (part.partition(":") for part in match.group(1).split(";") if ":" in part)
    return "".join(f' {name.strip()}="{value.strip().strip(chr(39))}"' for name, _, value in pairs)


def without_inline_styles(svg: str) -> str:
    """The SVG with its style="..." as presentation attributes (fill="...", font-size="..."), which the
    page's Content-Security-Policy (style-src 'self') lets through: inlined, matplotlib's style attributes
    are refused and the chart is drawn black. Its <style> element (default line joins) goes too."""
    return _STYLE_ELEMENT.sub("", _STYLE_ATTRIBUTE.sub(_presentation_attributes, svg))


def case_page(household: Household, consultations: list[Consultation], today: date) -> CasePage:
    """The case as the page shows it; `consultations`: those the reader may read, oldest first."""
    case = case_of(household)
    current = sorted(acts_of(case), key=lambda act: (act.occurred_on, act.id))
    corrected = [act for act in act_history(case) if act.replaced_at is not None] if case else []
    stage = next((c.procedure_stage for c in reversed(consultations) if c.procedure_stage), None)
    dates = latest_dates(current)
    found = situation_of(case, today, current)
    step = notices.next_step(found, dates, stage)
    debts = debt_over_time(consultations)
    return CasePage(
        case,
        current,
        corrected,
        found,
        stage,
        notices.statements(found, dates, today, stage),
        NextStep(*step) if step else None,
        debts,
        without_inline_styles(debt_chart(debts).svg()) if debts else None,
    )
