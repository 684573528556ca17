"""Forms of the administration pages."""

from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from hotline.core import date_bounds
from hotline.permanences.models import WEEKDAYS
from hotline.web.forms import Form, within_bounds


class HoursForm(Form):
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    weekday = SelectField("Jour", coerce=int, choices=list(enumerate(WEEKDAYS)))
    opens = TimeField("Ouverture", validators=[DataRequired("Heure d'ouverture ?")])
    closes = TimeField("Fermeture", validators=[DataRequired("Heure de fermeture ?")])

    def validate_closes(self, field):
        if self.opens.data and field.data and field.data <= self.opens.data:
            raise ValidationError("La fermeture doit suivre l'ouverture.")


class ClosureForm(Form):
    mission = SelectField("Ligne", validators=[Optional()])
    starts_on = DateField("Du", validators=[DataRequired("Date de début ?"), within_bounds(date_bounds.planning_day)])
    ends_on = DateField("Au", validators=[DataRequired("Date de fin ?"), within_bounds(date_bounds.planning_day)])
    reason = StringField("Motif", validators=[DataRequired("Indiquez le motif."), Length(max=200)])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("La fin doit suivre le début.")


class MoveForm(Form):
    territory = SelectField("Territoire", validators=[DataRequired()])
