"""Form pieces shared by every feature."""
from collections.abc import Callable
from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, widgets
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError

from hotline import clock


class Form(FlaskForm):
    """The base of every form: WTForms' own messages ("Not a valid integer value"...) in French."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            # WTForms' bundled French catalogue, rather than Flask-WTF's lookup through Flask-Babel.
            return DefaultMeta.get_translations(self, form)


class MultiCheckboxField(SelectMultipleField):
    """Several codes, shown as a list of check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in self.iter_choices()}
        unknown = [value for value in (self.data or []) if value not in allowed]
        if unknown:  # a ValidationError is the field's error; a bare ValueError would be a 500
            raise ValidationError(f"Valeur inconnue : {', '.join(unknown)}.")


def within_bounds(rule: Callable[[date, date], str | None]):
    """A date field's validator from a rule of hotline.date_bounds: its French message at the field."""

    def validate(form, field):
        message = rule(field.data, clock.local_today()) if field.data else None
        if message:
            raise ValidationError(message)

    return validate


class Versioned:
    """An edit form's record version, as it was when the form was opened (hotline.versions)."""

    version = HiddenField()

    def opened_version(self) -> str | None:
        """The version the browser posted back; never the record's own, which Form(obj=record) would put in
        the field when the browser sent none."""
        return self.version.raw_data[0] if self.version.raw_data else None
