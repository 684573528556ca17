"""Form pieces shared by every feature."""
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError

from hotline.extensions import db


class Form(FlaskForm):
    """The base of every form: WTForms' own messages ("Not a valid integer value"...) in French."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            # WTForms' bundled French catalogue, rather than Flask-WTF's lookup through Flask-Babel.
            return DefaultMeta.get_translations(self, form)

    def validate(self, extra_validators=None) -> bool:
        """Validators only read (a commune, a household): what the view has already added to the
        session (an audit event) is not flushed by their queries, so checking a form writes nothing."""
        with db.session.no_autoflush:
            return super().validate(extra_validators)


class MultiCheckboxField(SelectMultipleField):
    """Several codes, shown as a list of check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in self.iter_choices()}
        unknown = [value for value in (self.data or []) if value not in allowed]
        if unknown:  # a ValidationError is the field's error; a bare ValueError would be a 500
            raise ValidationError(f"Valeur inconnue : {', '.join(unknown)}.")
