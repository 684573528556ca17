"""Forms of the permanences pages."""

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from hotline.core import date_bounds
from hotline.permanences.models import WEEKDAYS
from hotline.permanences.recurrence import FREQUENCIES, WEEKS_OF_MONTH
from hotline.reference.services import resolve_commune
from hotline.web.forms import Form, MultiCheckboxField, Versioned, within_bounds

PLANNED = within_bounds(date_bounds.planning_day)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class PlaceFields:
    """The name, address and commune of a place; the commune is checked and resolved."""

    resolved_commune = None

    def validate_commune(self, field):
        if not self.needs_place():
            return
        if not (field.data or "").strip():
            raise ValidationError("Indiquez la commune.")
        self.resolved_commune = resolve_commune(field.data)
        if self.resolved_commune is None:
            raise ValidationError("Commune du Pas-de-Calais inconnue : tapez son nom ou son code INSEE.")

    def validate_name(self, field):
        if self.needs_place() and not (field.data or "").strip():
            raise ValidationError("Indiquez le nom.")

    def validate_address(self, field):
        if self.needs_place() and not (field.data or "").strip():
            raise ValidationError("Indiquez l'adresse.")

    def needs_place(self) -> bool:
        return True


class PlaceForm(PlaceFields, Versioned, Form):
    name = StringField("Nom", description="Par exemple : Mairie de Lens", validators=[Length(max=120)])
    address = StringField("Adresse", validators=[Length(max=250)])
    commune = StringField("Commune (nom ou code INSEE)", validators=[Length(max=120)])
    access_notes = TextAreaField(
        "Accès",
        description="Par exemple : entrée par la cour, rez-de-chaussée, accessible en fauteuil roulant",
        validators=[Length(max=1000)],
    )
    public_phone = StringField("Téléphone du lieu (facultatif)", validators=[Length(max=30)])
    active = BooleanField("Ouvert", default=True)


class PermanenceForm(PlaceFields, Versioned, Form):
    place_id = SelectField("Lieu", coerce=_optional_int, validators=[Optional()])
    name = StringField("Nom", description="Par exemple : Mairie de Lens", validators=[Length(max=120)])
    address = StringField("Adresse", validators=[Length(max=250)])
    commune = StringField("Commune (nom ou code INSEE)", validators=[Length(max=120)])
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    user_id = SelectField("Juriste", coerce=_optional_int, validators=[Optional()])
    frequency = SelectField("Fréquence", choices=list(FREQUENCIES.items()))
    weekday = SelectField("Jour", coerce=int, choices=list(enumerate(WEEKDAYS)))
    week_of_month = SelectField(
        "Semaine du mois (chaque mois)",
        coerce=_optional_int,
        choices=[("", "—")] + [(k, v) for k, v in WEEKS_OF_MONTH.items()],
    )
    starts = TimeField("De", validators=[DataRequired("Heure de début ?")])
    ends = TimeField("À", validators=[DataRequired("Heure de fin ?")])
    first_day = DateField("Premier jour", validators=[DataRequired("Date du premier jour ?"), PLANNED])
    last_day = DateField("Dernier jour (facultatif)", validators=[Optional(), PLANNED])
    active = BooleanField("Active", default=True)

    def needs_place(self) -> bool:
        return not self.place_id.data  # a new place, typed below the list

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError("L'heure de fin doit suivre l'heure de début.")

    def validate_week_of_month(self, field):
        if self.frequency.data == "monthly" and field.data not in WEEKS_OF_MONTH:
            raise ValidationError("Choisissez la semaine du mois.")

    def validate_last_day(self, field):
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError("Le dernier jour doit suivre le premier.")


class CancelForm(Form):
    day = DateField("Jour", validators=[DataRequired("Indiquez le jour."), PLANNED])
    reason = StringField("Motif", validators=[DataRequired("Indiquez le motif."), Length(max=200)])


class RestoreForm(Form):
    day = DateField("Jour", validators=[DataRequired("Indiquez le jour."), PLANNED])


class DutySeriesForm(Versioned, Form):
    """A series of duty shifts: a jurist, a mission, a territory (or all), weekdays, hours, first and last day."""

    user_id = SelectField("Juriste", coerce=_optional_int, validators=[DataRequired("Choisissez un(e) juriste.")])
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    territory = SelectField(
        "Territoire",
        validators=[Optional()],
        description="« Tous les territoires » : le pool général, appelé quand personne "
        "du territoire de l'appelant n'est de garde.",
    )
    weekdays = MultiCheckboxField("Jours", choices=[(str(n), name) for n, name in enumerate(WEEKDAYS)])
    starts = TimeField("De", validators=[DataRequired("Heure de début ?")])
    ends = TimeField("À", validators=[DataRequired("Heure de fin ?")])
    valid_from = DateField(
        "Premier jour",
        validators=[Optional(), PLANNED],
        description="Vide : aujourd'hui. Pour une série commencée, le jour d'où vaut le changement.",
    )
    valid_until = DateField("Dernier jour (facultatif)", validators=[Optional(), PLANNED])

    def validate_weekdays(self, field):
        if not field.data:
            raise ValidationError("Choisissez au moins un jour.")

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError("L'heure de fin doit suivre l'heure de début.")

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError("Le dernier jour doit suivre le premier.")


class StopForm(Form):
    """Stopping a series of duty shifts (a button)."""
