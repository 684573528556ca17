"""The form of one flag on the household page ("ne pas rappeler", "ne pas envoyer de SMS"): its reason and
its last day; one form per kind, told apart by its prefix."""

from __future__ import annotations

from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from hotline.consultations import flags
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


def flag_forms(posted_kind: str | None = None, posted: FlagForm | None = None) -> dict[str, FlagForm]:
    """One form per kind; the posted one as it was typed (with its errors)."""
    return {
        kind: posted if kind == posted_kind and posted is not None else FlagForm(prefix=kind, formdata=None)
        for kind in flags.KINDS
    }
