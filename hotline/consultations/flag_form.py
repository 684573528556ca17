"""The form of one flag on the household page ("ne pas rappeler", "ne pas envoyer de SMS"): its reason and
its last day; one form per kind, told apart by its prefix."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from hotline.consultations import flags
from hotline.consultations.models import HouseholdFlag
from hotline.core import clock
from hotline.web.forms import Form


def last_day(form, field):
    problem = flags.last_day_problem(field.data, clock.local_today())
    if problem:
        raise ValidationError(problem)


class FlagForm(Form):
    reason = SelectField("Motif", choices=[("", "— Choisir —"), *flags.REASONS.items()])
    ends_on = DateField(
        "Jusqu'au (facultatif)",
        validators=[Optional(), last_day],
        description="Dernier jour inclus ; vide : jusqu'à ce qu'un juriste le retire.",
    )

    def validate_reason(self, field):
        if field.data not in flags.REASONS:
            raise ValidationError("Choisissez le motif.")


def flag_forms(
    posted_kind: str | None = None, posted: FlagForm | None = None, current: Iterable[HouseholdFlag] = ()
) -> dict[str, FlagForm]:
    """One form per kind: the posted one as it was typed (with its errors); a kind the household has a flag of
    (`current`) opens with that flag's reason and last day, to be changed; the others empty."""
    holding = {flag.kind: flag for flag in current}

    def opened(kind: str) -> FlagForm:
        if kind == posted_kind and posted is not None:
            return posted
        flag = holding.get(kind)
        values = {"reason": flag.reason, "ends_on": flag.ends_on} if flag else {}
        return FlagForm(prefix=kind, formdata=None, data=values)

    return {kind: opened(kind) for kind in flags.KINDS}
