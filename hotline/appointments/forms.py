"""The booking form."""
from wtforms import BooleanField, DateTimeLocalField, SelectField
from wtforms.validators import DataRequired, Optional

OFFICE = "office"

from hotline.forms_common import Form


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class AppointmentForm(Form):
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    slot = SelectField("Créneau", validators=[DataRequired("Choisissez un créneau de permanence ou « Au bureau ».")])
    office_at = DateTimeLocalField("Au bureau : date et heure", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    jurist_id = SelectField("Au bureau : juriste", coerce=_optional_int, validators=[Optional()])
    sms_reminder = BooleanField("Le ménage accepte un rappel par SMS la veille")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.slot.data == OFFICE and not self.office_at.data and not self.office_at.errors:
            self.office_at.errors = [*self.office_at.errors, "Indiquez la date et l'heure du rendez-vous au bureau."]
            return False
        return valid
