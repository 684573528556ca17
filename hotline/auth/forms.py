"""Login and account forms."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from hotline.auth.models import ROLES
from hotline.web.forms import Form, MultiCheckboxField, Versioned


class LoginForm(Form):
    email = EmailField("Adresse électronique", validators=[DataRequired("Indiquez votre adresse.")])
    password = PasswordField("Mot de passe", validators=[DataRequired("Indiquez votre mot de passe.")])


class UserForm(Versioned, Form):
    email = EmailField(
        "Adresse électronique",
        validators=[DataRequired("Indiquez l'adresse."), Email("Adresse électronique invalide."), Length(max=254)],
    )
    name = StringField("Nom et prénom", validators=[DataRequired("Indiquez le nom."), Length(max=120)])
    role = SelectField("Rôle", choices=list(ROLES.items()))
    phone = StringField("Téléphone (appelé par le numéro vert)", validators=[Optional(), Length(max=30)])
    missions = MultiCheckboxField("Mission(s)", choices=[])
    territories = MultiCheckboxField("Territoire(s)", choices=[])
    active = BooleanField("Compte actif", default=True)
    password = PasswordField("Mot de passe (12 caractères au moins)", validators=[Optional()])
