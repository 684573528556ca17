"""The consultation form: French labels and messages, choices from the client's vocabularies."""

from __future__ import annotations

import re

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from hotline.auth.services import AccountError, normalize_phone
from hotline.cases.notices import legal_order
from hotline.cases.services import Stated, act_date_problem, case_codes, concerns
from hotline.consultations.parsing import (
    ParseError,
    is_insee_outside_department,
    parse_amount,
)
from hotline.consultations.services import place
from hotline.core import clock, date_bounds
from hotline.core.ids import parse_id
from hotline.reference import labels, theme_codes
from hotline.reference.services import (
    commune_field_value,
    resolve_commune,
    territory_labels,
)
from hotline.web.forms import Form, MultiCheckboxField, Versioned, within_bounds

CHOOSE = ("", "— Choisir —")
NOT_SAID = ("", "— Non précisé —")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters but tab and line breaks


def visible(form, field):
    """Control characters are no text (PostgreSQL refuses NUL): the field's French error, checked first."""
    if isinstance(field.data, str) and _INVISIBLE.search(field.data):
        raise StopValidation("Ce champ contient un caractère invisible : retapez-le.")


def since_1950(form, field):
    """A lease or an act of a procedure still followed: an older year is a typing slip."""
    if field.data and field.data.year < 1950:
        raise ValidationError("Date trop ancienne : vérifiez l'année (jj/mm/aaaa).")


def e164(field) -> str | None:
    """The field's phone number in E.164, or its French error at the field."""
    try:
        return normalize_phone(field.data)
    except AccountError as error:
        raise ValidationError(str(error)) from None


def _choices(vocabulary: str) -> list[tuple[str, str]]:
    return list(labels(vocabulary).items())


class ConsultationForm(Form):
    version = HiddenField()
    household_id = HiddenField()
    call_id = HiddenField()
    household_name = StringField("Nom du ménage (facultatif)", validators=[visible, Optional(), Length(max=120)])
    household_phone = StringField("Téléphone du ménage", validators=[visible, Optional(), Length(max=30)])
    household_adults = IntegerField("Adultes", validators=[Optional(), NumberRange(0, 20, "Entre 0 et 20.")])
    household_children = IntegerField("Enfants", validators=[Optional(), NumberRange(0, 20, "Entre 0 et 20.")])

    date = DateField(
        "Date", validators=[DataRequired("Indiquez la date (jj/mm/aaaa)."), within_bounds(date_bounds.consultation_day)]
    )
    time = TimeField("Heure", validators=[Optional()])
    duration_minutes = IntegerField(
        "Durée (minutes)", validators=[Optional(), NumberRange(0, 600, "Une durée entre 0 et 600 minutes.")]
    )
    mission = SelectField("Mission", validators=[DataRequired("Choisissez la mission.")])
    mode = SelectField("Mode de consultation", validators=[DataRequired("Choisissez le mode.")])
    consultant_type = SelectField("Qui consulte ?", default="particulier")
    commune = StringField("Commune du ménage (nom ou code INSEE)", validators=[visible, Optional(), Length(max=120)])
    territory = SelectField("Territoire (si la commune n'est pas connue)", validators=[Optional()])
    occupancy_status = SelectField("Statut d'occupation", default="inconnu")
    housing_sector = SelectField("Parc", default="inconnu")
    family_situation = SelectField("Situation familiale", default="inconnu")
    age_band = SelectField("Âge", default="inconnu")
    resource_types = MultiCheckboxField("Nature des ressources")
    resource_band = SelectField("Ressources mensuelles", default="inconnu")
    themes = MultiCheckboxField("Thèmes")
    referral_source = SelectField("Orienté par", default="inconnu")
    outcomes = MultiCheckboxField("Suites données")
    habitat_indigne = BooleanField("Habitat indigne signalé")
    permis_louer = BooleanField("Permis de louer concerné")

    procedure_stage = SelectField("Stade de la procédure", validators=[Optional()])
    debt_amount = StringField(
        "Montant de la dette (€)",
        validators=[visible, Optional(), Length(max=30)],
        description="Par exemple 1 234,56. Laissez vide si inconnu.",
    )
    debt_origins = MultiCheckboxField("Origine de la dette")

    # The household's case (cases/): what this consultation learnt of the lease and the acts.
    lease_signed_on = DateField(
        "Date de signature du bail",
        validators=[Optional(), since_1950],
        description="Elle décide du délai après un commandement de payer.",
    )
    landlord_type = SelectField("Bailleur", validators=[Optional()])
    rent_amount = StringField(
        "Loyer mensuel charges comprises (€)",
        validators=[visible, Optional(), Length(max=30)],
        description="Par exemple 540,00. Laissez vide si inconnu.",
    )
    housing_benefit = SelectField("Aide au logement", validators=[Optional()])
    decision_kind = SelectField(
        "Nature de la décision notée ici (jugement ou arrêt)",
        validators=[Optional()],
        description="Une ordonnance de référé se frappe d'appel en quinze jours, un jugement au fond en un mois.",
    )

    notes = TextAreaField("Notes", validators=[visible, Optional(), Length(max=10000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission.choices = [CHOOSE] + _choices("missions")
        self.mode.choices = [CHOOSE] + _choices("modes")
        self.consultant_type.choices = _choices("consultant_types")
        self.territory.choices = [("", "— Déduit de la commune —")] + list(territory_labels().items())
        for name in (
            "occupancy_status",
            "housing_sector",
            "family_situation",
            "age_band",
            "resource_band",
            "referral_source",
        ):
            getattr(self, name).choices = _choices(_VOCABULARY[name])
        self.resource_types.choices = _choices("resource_types")
        self.themes.choices = list(theme_codes().items())
        self.outcomes.choices = _choices("outcomes")
        self.procedure_stage.choices = [("", "— Non concerné —")] + _choices("procedure_stages")
        self.debt_origins.choices = _choices("debt_origins")
        self.landlord_type.choices = [NOT_SAID] + _choices("landlord_types")
        self.housing_benefit.choices = [NOT_SAID] + _choices("housing_benefits")
        self.decision_kind.choices = [("", "Non précisée")] + [
            choice for choice in _choices("decision_kinds") if choice[0] != "inconnu"
        ]
        self.resolved_commune = None
        self.parsed_debt = None
        self.parsed_rent = None
        self.parsed_phone = None

    def validate_commune(self, field):
        text = (field.data or "").strip()
        if not text:
            return
        # Bare digits are an INSEE code: 134 of the 150 postal codes of the Pas-de-Calais are also
        # some other commune's INSEE code. A postal code goes with the name: "Lens (62300)".
        commune = resolve_commune(text)
        if commune is None and not is_insee_outside_department(text.upper()):
            raise ValidationError("Commune inconnue : tapez son nom (ou « Nom (code postal) ») ou son code INSEE.")
        self.resolved_commune = commune

    def validate_territory(self, field):
        if field.data and self.resolved_commune is not None and self.resolved_commune.territory_code != field.data:
            raise ValidationError("Ce territoire ne correspond pas à la commune indiquée.")

    def validate_debt_amount(self, field):
        try:
            self.parsed_debt = parse_amount(field.data)
        except ParseError as error:
            raise ValidationError(str(error)) from None

    def validate_rent_amount(self, field):
        try:
            self.parsed_rent = parse_amount(field.data)
        except ParseError as error:
            raise ValidationError(str(error).replace("de la dette", "du loyer")) from None

    def validate_household_phone(self, field):
        self.parsed_phone = e164(field)

    def validate(self, extra_validators=None) -> bool:
        """The acts' dates are checked by cases' services when the case is written, after this form: checked
        here too (the same rule, act_date_problem), so that one save names every mistake, not the form's
        first and then the acts'."""
        valid = super().validate(extra_validators)
        if not (self.date.data and not self.date.errors and self._states_the_case()):
            return valid
        for code in case_codes():
            field = self[act_field(code)]
            problem = act_date_problem(code, field.data, self.date.data) if field.data and not field.errors else None
            if problem:
                field.errors = [*field.errors, problem[0].upper() + problem[1:]]
                valid = False
        return valid

    def _states_the_case(self) -> bool:
        """What cases.services.concerns_the_case says of the consultation this form holds (and app.js of
        the case block): the eviction mission, or a theme of unpaid rent."""
        return concerns(self.mission.data, self.themes.data or [])

    def act_fields(self) -> list:
        """The date fields of the acts, one per stage in legal order."""
        return [self[act_field(stage)] for stage in legal_order()]

    def event_fields(self) -> list:
        """The date fields of the case's events."""
        return [self[act_field(code)] for code in labels("case_events")]

    def known_act(self, code: str) -> int | None:
        """The id of the act whose date the form was opened with for `code`, if any."""
        return parse_id(self[f"{act_field(code)}_known"].data)

    def acts(self) -> dict:
        """{code: cases Stated} of the acts and events whose date was given: a date typed over a known
        act's corrects it, unless "nouvel acte" was chosen."""
        found = {}
        for code in case_codes():
            day = self[act_field(code)].data
            if day:
                found[code] = Stated(
                    (day,), corrects=self.known_act(code), new=self[f"{act_field(code)}_as"].data == "nouveau"
                )
        return found


def act_field(code: str) -> str:
    return f"act_{code}"


ACT_MODES = [("correction", "corriger la date"), ("nouveau", "nouvel acte (l'ancien reste)")]
for _code in case_codes():
    setattr(
        ConsultationForm,
        act_field(_code),
        DateField(
            labels("procedure_stages").get(_code) or labels("case_events")[_code], validators=[Optional(), since_1950]
        ),
    )
    setattr(ConsultationForm, f"{act_field(_code)}_known", HiddenField())
    setattr(
        ConsultationForm, f"{act_field(_code)}_as", SelectField("Cette date", choices=ACT_MODES, default="correction")
    )


_VOCABULARY = {
    "occupancy_status": "occupancy_statuses",
    "housing_sector": "housing_sectors",
    "family_situation": "family_situations",
    "age_band": "age_bands",
    "resource_band": "resource_bands",
    "referral_source": "referral_sources",
}


class HouseholdForm(Versioned, Form):
    name = StringField("Nom du ménage", validators=[visible, Optional(), Length(max=120)])
    phone = StringField("Téléphone", validators=[visible, Optional(), Length(max=30)])
    commune = StringField("Commune (nom ou code INSEE)", validators=[visible, Optional(), Length(max=120)])
    adults = IntegerField("Adultes", validators=[Optional(), NumberRange(0, 20, "Entre 0 et 20.")])
    children = IntegerField("Enfants", validators=[Optional(), NumberRange(0, 20, "Entre 0 et 20.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed_phone = None
        self.resolved_commune = None

    def validate_phone(self, field):
        self.parsed_phone = e164(field)

    def validate_commune(self, field):
        self.resolved_commune = resolve_commune(field.data)
        if self.resolved_commune is None:
            raise ValidationError("Commune du Pas-de-Calais inconnue : tapez son nom ou son code INSEE.")


class SearchForm(Form):
    """The list filters; read from the query string, so without CSRF."""

    class Meta:
        csrf = False

    date_from = DateField("Du", validators=[Optional()])
    date_to = DateField("Au", validators=[Optional()])
    mission = SelectField("Mission", validators=[Optional()])
    territory = SelectField("Territoire", validators=[Optional()])
    jurist = SelectField("Juriste", validators=[Optional()])
    stage = SelectField("Stade", validators=[Optional()])


def cleaned(form: ConsultationForm) -> dict:
    """The validated form as the data that services.apply() takes."""
    commune = form.resolved_commune
    insee = commune.insee if commune else ((form.commune.data or "").strip().upper() or None)
    commune_insee, territory = place(insee, form.territory.data or None)
    return {
        "date": form.date.data,
        "time": form.time.data,
        "duration_minutes": form.duration_minutes.data,
        "mission": form.mission.data,
        "mode": form.mode.data,
        "consultant_type": form.consultant_type.data,
        "commune_insee": commune_insee,
        "territory_code": territory,
        "occupancy_status": form.occupancy_status.data,
        "housing_sector": form.housing_sector.data,
        "family_situation": form.family_situation.data,
        "age_band": form.age_band.data,
        "resource_band": form.resource_band.data,
        "referral_source": form.referral_source.data,
        "procedure_stage": form.procedure_stage.data or None,
        "debt_amount": form.parsed_debt,
        "habitat_indigne": bool(form.habitat_indigne.data),
        "permis_louer": bool(form.permis_louer.data),
        "notes": (form.notes.data or "").strip() or None,
        "resource_types": form.resource_types.data or [],
        "debt_origins": form.debt_origins.data or [],
        "outcomes": form.outcomes.data or [],
        "themes": form.themes.data or [],
    }


def case_data(form: ConsultationForm) -> tuple[dict, dict]:
    """(acts, case fields) as cases.services.record_acts takes them; a field left empty is None (not said)."""
    return form.acts(), {
        "lease_signed_on": form.lease_signed_on.data,
        "landlord_type": form.landlord_type.data or None,
        "rent_amount": form.parsed_rent,
        "housing_benefit": form.housing_benefit.data or None,
    }


def decision_kind(form: ConsultationForm) -> str | None:
    """The kind of the judgments the form dates, when one is chosen."""
    return form.decision_kind.data or None


def _typed_amount(amount) -> str:
    """An amount as a jurist types it: 1234,56."""
    return f"{amount:.2f}".replace(".", ",") if amount is not None else ""


def fill_case(form: ConsultationForm, fields: dict, acts: dict) -> None:
    """Put what is known of the case (CASE_FIELDS values, {code: its latest current act}) into the form."""
    form.lease_signed_on.data = fields.get("lease_signed_on")
    form.landlord_type.data = fields.get("landlord_type") or ""
    form.rent_amount.data = _typed_amount(fields.get("rent_amount"))
    form.housing_benefit.data = fields.get("housing_benefit") or ""
    kinds = [act.decision_kind for act in acts.values() if act.decision_kind]
    form.decision_kind.data = kinds[-1] if kinds else ""
    for code, act in acts.items():
        if act_field(code) in form:
            form[act_field(code)].data = act.occurred_on
            form[f"{act_field(code)}_known"].data = str(act.id)


def case_error_fields(form: ConsultationForm, errors: dict[str, str]) -> None:
    """Put a CaseError's messages beside their fields; what belongs to no field goes to the top."""
    for key, message in errors.items():
        name = act_field(key.partition(".")[2]) if key.startswith("acts.") else key
        if name in form:
            # An act's message starts with its name ("Audience : ..."), which the field's label and the summary
            # say already ("Audience : Audience : ...").
            said = message.removeprefix(f"{form[name].label.text} : ")
            form[name].errors.append(said[0].upper() + said[1:] if said else message)
        else:
            form.form_errors.append(message)


def prefill_from_household(form: ConsultationForm, last, missions) -> None:
    """A follow-up: the commune, mission, profile and stage of the household's last consultation
    (one the user may read), each still editable. The mission only if it is one of `missions`."""
    if last.mission in missions:
        form.mission.data = last.mission
    if last.commune_insee:
        form.commune.data = commune_field_value(last.commune_insee)
    else:
        form.territory.data = last.territory_code
    for name in (
        "consultant_type",
        "occupancy_status",
        "housing_sector",
        "family_situation",
        "age_band",
        "resource_band",
    ):
        getattr(form, name).data = getattr(last, name)
    form.resource_types.data = last.codes_of("resource_type")
    form.procedure_stage.data = last.procedure_stage or ""


def fill_from(form: ConsultationForm, consultation) -> None:
    """Put a saved consultation into the form for editing."""
    for name in (
        "date",
        "time",
        "duration_minutes",
        "mission",
        "mode",
        "consultant_type",
        "occupancy_status",
        "housing_sector",
        "family_situation",
        "age_band",
        "resource_band",
        "referral_source",
        "habitat_indigne",
        "permis_louer",
        "notes",
    ):
        getattr(form, name).data = getattr(consultation, name)
    form.procedure_stage.data = consultation.procedure_stage or ""
    form.commune.data = commune_field_value(consultation.commune_insee)
    form.territory.data = consultation.territory_code
    form.debt_amount.data = _typed_amount(consultation.debt_amount)
    form.resource_types.data = consultation.codes_of("resource_type")
    form.debt_origins.data = consultation.codes_of("debt_origin")
    form.outcomes.data = consultation.codes_of("outcome")
    form.themes.data = consultation.themes
    form.version.data = str(consultation.version)


def prefill_from_call(form: ConsultationForm, call) -> None:
    """A consultation given on the phone: what the voice menu already learnt."""
    form.mode.data = "telephone"
    if call.mission:
        form.mission.data = call.mission
    if call.consultant_type:
        form.consultant_type.data = call.consultant_type
    if call.commune_insee:
        form.commune.data = commune_field_value(call.commune_insee)
    elif call.territory_code:
        form.territory.data = call.territory_code
    started = (call.answered_at or call.started_at).astimezone(clock.local_zone())
    form.date.data = started.date()
    form.time.data = started.time().replace(second=0, microsecond=0, tzinfo=None)
    if call.talk_seconds:
        form.duration_minutes.data = max(1, round(call.talk_seconds / 60))
    form.referral_source.data = "numero_vert"
    form.household_phone.data = call.from_number or ""  # used only if a new household is created
