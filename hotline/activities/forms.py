"""The activity form."""

from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from hotline.core import date_bounds
from hotline.web.forms import Form, within_bounds


class ActivityForm(Form):
    date = DateField("Date", validators=[DataRequired("Indiquez la date."), within_bounds(date_bounds.activity_day)])
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    activity_type = SelectField("Type d'activité", validators=[DataRequired("Choisissez le type d'activité.")])
    territory = SelectField("Territoire", validators=[DataRequired("Choisissez le territoire.")])
    title = StringField(
        "Intitulé",
        description="Par exemple : CCAPEX de l'arrondissement de Lens",
        validators=[DataRequired("Indiquez l'intitulé."), Length(max=200)],
    )


IGNORED = "filtre ignoré."  # how the list ends each of its filters' errors: the others still apply


class ActivityFilters(Form):
    """The list's filters (who, what, when, where); read from the query string, so without CSRF."""

    class Meta:
        csrf = False

    date_from = DateField("Du", validators=[Optional()])
    date_to = DateField("Au", validators=[Optional()])
    activity_type = SelectField("Type d'activité", validators=[Optional()])
    mission = SelectField("Mission", validators=[Optional()])
    territory = SelectField("Territoire", validators=[Optional()])
    author = SelectField("Par", validators=[Optional()])

    def validate_date_to(self, field):
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(f"La date de fin précède la date de début : {IGNORED}")
