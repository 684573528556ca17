"""The activity form."""

from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

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
