"""Jinja filters and globals: French labels of codes, dates, durations, euros, phone numbers (masked for
whoever may not read them), the current page of the menu and the fields of a form in error."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from markupsafe import Markup

from hotline.core import formatting
from hotline.core.formatting import format_euros, fr_date, fr_datetime, fr_day, fr_time
from hotline.reference import label, labels, theme_codes
from hotline.reference.services import commune_label, commune_options, territory_labels

CALLBACK_KINDS = {"voicemail": "Message vocal", "callback_request": "Demande de rappel", "missed": "Appel manqué"}
# Menu entries for a page below another entry's address: the page is theirs, not the other entry's.
OWN_MENU_ENTRIES = {"consultations.new", "consultations.import_file", "consultations.import_job"}


def masked_phone(number: str | None) -> str:
    """Jurists see the caller's number as the French write it, a link that dials it; other roles see only
    its last two digits."""
    if not number:
        return "numéro masqué"
    if getattr(current_user, "role", None) == "jurist":
        return Markup('<a href="tel:{}">{}</a>').format(number, formatting.phone(number))
    return number[:3] + " •• •• •• " + number[-2:] if len(number) > 6 else "••"


def is_current(href: str) -> bool:
    """Whether the menu link to `href` leads to this page or to a page below it (not the home's "/")."""
    path = request.path
    if path == href:
        return True
    return href != "/" and path.startswith(href) and request.endpoint not in OWN_MENU_ENTRIES


def fields_in_error(form) -> list[tuple]:
    """(label, first error, id of the element to focus) of each field in error, in the form's order, for
    the error summary. A group of boxes is reached by its first box."""
    found = []
    for f in form:
        if not f.errors or f.type == "CSRFTokenField":
            continue
        target = f.id
        if f.type in ("MultiCheckboxField", "RadioField"):
            options = list(f)
            target = options[0].id if options else f.id
        found.append((f.label.text, f.errors[0], target))
    return found


def aria(field, has_hint, extra: dict | None = None) -> dict:
    """The field's attributes, with aria-invalid and aria-describedby so screen readers read its
    hint and errors."""
    attrs = dict(extra or {})
    described = ([f"{field.id}-err"] if field.errors else []) + ([f"{field.id}-hint"] if has_hint else [])
    described += [attrs.pop("aria-describedby")] if "aria-describedby" in attrs else []
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def install(app: Flask) -> None:
    app.jinja_env.filters.update(
        label=lambda code, vocabulary: label(vocabulary, code),
        theme_label=lambda code: theme_codes().get(code, code),
        fr_date=fr_date,
        fr_datetime=fr_datetime,
        fr_time=fr_time,
        fr_day=fr_day,
        month_name=formatting.month_name,
        commune=commune_label,
        euros=format_euros,
        masked_phone=masked_phone,
        duration=formatting.duration,
        phone=lambda number: (
            Markup('<span class="nowrap">{}</span>').format(formatting.phone(number)) if number else ""
        ),
        composition=formatting.composition,
        whole=formatting.whole,
        callback_kind=lambda kind: CALLBACK_KINDS.get(kind, kind),
        is_current=is_current,
        fields_in_error=fields_in_error,
    )
    app.jinja_env.globals.update(vocabulary=labels, aria=aria)

    @app.context_processor
    def reference_helpers():
        def territory_names() -> dict[str, str]:
            """code -> label, read once per request however many rows a table shows."""
            if "territory_names" not in g:
                g.territory_names = territory_labels()
            return g.territory_names

        return {"territory_names": territory_names, "commune_options": commune_options}
