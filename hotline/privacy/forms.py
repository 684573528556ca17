"""The erasure form: the manager types a word to confirm, so that no click erases by mistake."""

from wtforms import StringField
from wtforms.validators import ValidationError

from hotline.web.forms import Form

CONFIRMATION_WORD = "EFFACER"


class EraseForm(Form):
    confirmation = StringField(
        f"Pour confirmer, tapez {CONFIRMATION_WORD}",
        description="L'effacement est définitif : le nom, le téléphone, les notes, les "
        "numéros d'appel et les commentaires de rappel ne pourront pas être "
        "retrouvés.",
    )

    def validate_confirmation(self, field):
        if (field.data or "").strip().upper() != CONFIRMATION_WORD:
            raise ValidationError(f"Tapez {CONFIRMATION_WORD} pour confirmer l'effacement.")
