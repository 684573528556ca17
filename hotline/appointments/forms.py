"""The booking form: a slot picked in the agenda (hidden), or a date and time at the office."""

from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField
from wtforms.validators import DataRequired, Optional

from hotline.web.forms import Form


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class AppointmentForm(Form):
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    slot = HiddenField()  # "permanence id|ISO instant", checked by services.book
    office_at = DateTimeLocalField("Date et heure", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    jurist_id = SelectField("Juriste qui reçoit", coerce=_optional_int, validators=[Optional()])
    sms_reminder = BooleanField("Le ménage accepte les SMS : une confirmation maintenant, un rappel la veille")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.slot.data and not self.office_at.data and not self.office_at.errors:
            self.office_at.errors = [*self.office_at.errors, "Indiquez la date et l'heure du rendez-vous au bureau."]
            return False
        return valid
