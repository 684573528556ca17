"""The activity form."""
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from hotline import clock
from hotline.forms_common import Form


class ActivityForm(Form):
    date = DateField("Date", validators=[DataRequired("Indiquez la date.")])
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    activity_type = SelectField("Type d'activité", validators=[DataRequired("Choisissez le type d'activité.")])
    territory = SelectField("Territoire", validators=[DataRequired("Choisissez le territoire.")])
    title = StringField("Intitulé", description="Par exemple : CCAPEX de l'arrondissement de Lens",
                        validators=[DataRequired("Indiquez l'intitulé."), Length(max=200)])

    def validate_date(self, field):
        if field.data and field.data > clock.local_today():
            raise ValidationError("La date ne peut pas être dans le futur.")
