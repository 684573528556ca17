"""Form pieces shared by every feature."""
from wtforms import SelectMultipleField, widgets


class MultiCheckboxField(SelectMultipleField):
    """Several codes, shown as a list of check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in self.iter_choices()}
        unknown = [value for value in (self.data or []) if value not in allowed]
        if unknown:
            raise ValueError(f"Valeur inconnue : {', '.join(unknown)}.")
