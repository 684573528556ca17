"""Form pieces shared by every feature."""

import re
from collections.abc import Callable
from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation, ValidationError

from hotline.core import clock
from hotline.extensions import db

# Control characters (C0, DEL, C1) and Unicode's line and paragraph separators: no part of a name, an
# address or a reason. A line break in a one-line value splits it where it is written on one line (an
# .ics, a CSV cell, a log line, an SMS); PostgreSQL refuses NUL outright.
_NOT_ON_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # a text of several lines: tab, CR, LF allowed
SINGLE_LINE_MESSAGE = "Une seule ligne attendue : retirez les retours à la ligne et les tabulations."
INVISIBLE_MESSAGE = "Ce champ contient un caractère invisible : retapez-le."


def has_control_characters(text: str | None, *, multiline: bool = False) -> bool:
    """Whether a typed value holds what it may not: any control character on one line; on several lines,
    any but tab, carriage return and line feed."""
    return bool(text) and (_NOT_IN_TEXT if multiline else _NOT_ON_ONE_LINE).search(text) is not None


def single_line(form, field) -> None:
    """A one-line text field: no line break, tab or other control character."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise StopValidation(
            INVISIBLE_MESSAGE if has_control_characters(field.data, multiline=True) else SINGLE_LINE_MESSAGE
        )


def text_lines(form, field) -> None:
    """A text of several lines: line breaks and tabs, no other control character."""
    if isinstance(field.data, str) and has_control_characters(field.data, multiline=True):
        raise StopValidation(INVISIBLE_MESSAGE)


def _typed_text_check(field):
    """The check of a field a person types text in; None for the others (a password is taken as typed,
    a hidden field is the page's own)."""
    if isinstance(field, TextAreaField):
        return text_lines
    if isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField)):
        return single_line
    return None


class Form(FlaskForm):
    """The base of every form: WTForms' own messages ("Not a valid integer value"...) in French, and every
    typed text checked for control characters (single_line, text_lines), whatever the form declares."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            # WTForms' bundled French catalogue, rather than Flask-WTF's lookup through Flask-Babel.
            return DefaultMeta.get_translations(self, form)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:  # first: a value that is no text gets this message alone
            check = _typed_text_check(field)
            if check is not None:
                field.validators = [check, *field.validators]

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


def within_bounds(rule: Callable[[date, date], str | None]):
    """A date field's validator from a rule of hotline.core.date_bounds: its French message at the field."""

    def validate(form, field):
        message = rule(field.data, clock.local_today()) if field.data else None
        if message:
            raise ValidationError(message)

    return validate


class Versioned:
    """An edit form's record version, as it was when the form was opened (hotline.core.versions)."""

    version = HiddenField()

    def opened_version(self) -> str | None:
        """The version the browser posted back; never the record's own, which Form(obj=record) would put in
        the field when the browser sent none."""
        return self.version.raw_data[0] if self.version.raw_data else None
